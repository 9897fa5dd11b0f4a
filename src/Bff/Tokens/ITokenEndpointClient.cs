using Bff.Sessions;

namespace Bff.Tokens;

/// <summary>Talks to the provider's token and revocation endpoints. Callers bound each call with a timeout.</summary>
internal interface ITokenEndpointClient
{
    /// <summary>
    /// Presents <paramref name="current"/>'s refresh token once for an access token for <paramref name="target"/>;
    /// the result is <paramref name="current"/> with that token replaced (and the refresh and id tokens, when the
    /// provider returns new ones).
    /// </summary>
    Task<TokenRefreshResult> RefreshAsync(TokenSet current, TokenTarget target, CancellationToken cancellationToken);

    /// <summary>
    /// The gateway's own access token for <paramref name="target"/> (client credentials grant, RFC 6749 §4.4); its
    /// result holds only an access token and its expiry.
    /// </summary>
    Task<TokenRefreshResult> RequestClientTokenAsync(TokenTarget target, CancellationToken cancellationToken);

    /// <summary>Revokes a refresh token (RFC 7009) when the provider advertises a revocation endpoint; best effort.</summary>
    Task RevokeAsync(string refreshToken, CancellationToken cancellationToken);
}
