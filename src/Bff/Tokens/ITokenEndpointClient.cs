using Bff.Sessions;

namespace Bff.Tokens;

/// <summary>Talks to the provider's token and revocation endpoints. Callers bound each call with a timeout.</summary>
internal interface ITokenEndpointClient
{
    /// <summary>Presents <paramref name="current"/>'s refresh token once; keeps the old refresh and id tokens when the provider returns none.</summary>
    Task<TokenRefreshResult> RefreshAsync(TokenSet current, CancellationToken cancellationToken);

    /// <summary>Revokes a refresh token (RFC 7009) when the provider advertises a revocation endpoint; best effort.</summary>
    Task RevokeAsync(string refreshToken, CancellationToken cancellationToken);
}
