using Bff.Configuration;
using Microsoft.Extensions.Options;

namespace Bff.Tokens;

/// <summary>
/// The standard refresh-token grant (RFC 6749 §6), form-encoded, at the discovery <c>token_endpoint</c> (or
/// <c>Bff:Tokens:RefreshRequest:Endpoint</c>), with the client authenticated as the provider advertises.
/// </summary>
internal sealed class OAuthRefreshRequest(ProviderMetadata metadata, ClientAuthentication client, IOptions<BffOptions> options) : IRefreshRequestDialect
{
    private readonly string? _endpoint = options.Value.Tokens.RefreshRequest.Endpoint;

    public async Task<HttpRequestMessage?> CreateAsync(string refreshToken, CancellationToken cancellationToken)
    {
        var configuration = await metadata.TryGetAsync(cancellationToken);
        var endpoint = _endpoint is { Length: > 0 } configured ? configured : configuration?.TokenEndpoint;
        return configuration is null || string.IsNullOrEmpty(endpoint)
            ? null
            : client.CreatePost(endpoint, [new("grant_type", "refresh_token"), new("refresh_token", refreshToken)], configuration);
    }
}
