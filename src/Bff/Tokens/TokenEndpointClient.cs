using Bff.Configuration;
using Bff.Diagnostics;
using Bff.Sessions;
using Microsoft.Extensions.Options;

namespace Bff.Tokens;

/// <summary>
/// Sends refresh requests in the configured dialect (<see cref="IRefreshRequestDialect"/>) and reads the answers
/// (<see cref="TokenResponseReader"/>); asks for the gateway's own tokens (client credentials); revokes refresh tokens
/// at logout (RFC 7009).
/// </summary>
internal sealed class TokenEndpointClient(
    HttpClient http,
    IRefreshRequestDialect dialect,
    ClientAuthentication client,
    ProviderMetadata metadata,
    IOptions<BffOptions> options,
    TimeProvider time,
    ILogger<TokenEndpointClient> logger) : ITokenEndpointClient
{
    /// <summary>What a client-credentials answer is read against: no refresh or id token to keep.</summary>
    private static readonly TokenSet NoTokens = new("", null, null, default);

    private readonly IReadOnlyDictionary<string, string> _extraHeaders = options.Value.Tokens.RefreshRequest.Headers;
    private readonly string? _endpoint = options.Value.Tokens.RefreshRequest.Endpoint;

    public async Task<TokenRefreshResult> RefreshAsync(TokenSet current, TokenTarget target, CancellationToken cancellationToken)
    {
        if (current.RefreshToken is null)
        {
            return TokenRefreshResult.Rejection("the session has no refresh token");
        }

        using var request = await dialect.CreateAsync(current.RefreshToken, target, cancellationToken);
        if (request is null)
        {
            return TokenRefreshResult.Failure("provider metadata (token endpoint) unavailable");
        }

        foreach (var (name, value) in _extraHeaders)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return await SendAsync(request, current, target, cancellationToken);
    }

    public async Task<TokenRefreshResult> RequestClientTokenAsync(TokenTarget target, CancellationToken cancellationToken)
    {
        var configuration = await metadata.TryGetAsync(cancellationToken);
        var endpoint = _endpoint is { Length: > 0 } configured ? configured : configuration?.TokenEndpoint;
        if (configuration is null || string.IsNullOrEmpty(endpoint))
        {
            return TokenRefreshResult.Failure("provider metadata (token endpoint) unavailable");
        }

        List<KeyValuePair<string, string>> form = [new("grant_type", "client_credentials")];
        OAuthRefreshRequest.AddTarget(form, target);
        using var request = client.CreatePost(endpoint, form, configuration);
        return await SendAsync(request, NoTokens, TokenTarget.Login, cancellationToken);
    }

    private async Task<TokenRefreshResult> SendAsync(HttpRequestMessage request, TokenSet current, TokenTarget target, CancellationToken cancellationToken)
    {
        try
        {
            var requestedAt = time.GetUtcNow();
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            return await TokenResponseReader.ReadAsync(response, current, target, requestedAt, cancellationToken);
        }
        catch (HttpRequestException exception)
        {
            return TokenRefreshResult.Failure($"network error: {exception.HttpRequestError}");
        }
    }

    public async Task RevokeAsync(string refreshToken, CancellationToken cancellationToken)
    {
        var configuration = await metadata.TryGetAsync(cancellationToken);
        if (configuration is null || configuration.RevocationEndpoint is not { Length: > 0 } revocationEndpoint)
        {
            return;
        }

        using var request = client.CreatePost(revocationEndpoint, [new("token", refreshToken), new("token_type_hint", "refresh_token")], configuration);
        try
        {
            using var response = await http.SendAsync(request, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                Log.RevocationFailed(logger, $"status {(int)response.StatusCode}");
            }
        }
        catch (HttpRequestException exception)
        {
            Log.RevocationFailed(logger, exception.HttpRequestError.ToString());
        }
    }
}
