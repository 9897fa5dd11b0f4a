using Bff.Configuration;
using Bff.Sessions;
using Microsoft.Extensions.Options;

namespace Bff.Tokens;

/// <summary>
/// The standard refresh-token grant (RFC 6749 §6), form-encoded, at the discovery <c>token_endpoint</c> (or
/// <c>Bff:Tokens:RefreshRequest:Endpoint</c>), with the client authenticated as the provider advertises. A
/// target adds <c>resource</c> (RFC 8707 §2.2), <c>scope</c> (RFC 6749 §6) and <c>audience</c> (Auth0).
/// </summary>
internal sealed class OAuthRefreshRequest(ProviderMetadata metadata, ClientAuthentication client, IOptions<BffOptions> options) : IRefreshRequestDialect
{
    private readonly string? _endpoint = options.Value.Tokens.RefreshRequest.Endpoint;

    public async Task<HttpRequestMessage?> CreateAsync(string refreshToken, TokenTarget target, CancellationToken cancellationToken)
    {
        var configuration = await metadata.TryGetAsync(cancellationToken);
        var endpoint = _endpoint is { Length: > 0 } configured ? configured : configuration?.TokenEndpoint;
        if (configuration is null || string.IsNullOrEmpty(endpoint))
        {
            return null;
        }

        List<KeyValuePair<string, string>> form = [new("grant_type", "refresh_token"), new("refresh_token", refreshToken)];
        AddTarget(form, target);
        return client.CreatePost(endpoint, form, configuration);
    }

    /// <summary>The target's parameters, for a refresh or a client-credentials request.</summary>
    public static void AddTarget(List<KeyValuePair<string, string>> form, TokenTarget target)
    {
        if (target.Resource is { } resource)
        {
            form.Add(new("resource", resource));
        }

        if (target.Scope is { } scope)
        {
            form.Add(new("scope", scope));
        }

        if (target.Audience is { } audience)
        {
            form.Add(new("audience", audience));
        }
    }
}
