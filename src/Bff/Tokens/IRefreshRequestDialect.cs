using Bff.Sessions;

namespace Bff.Tokens;

/// <summary>How a refresh request is written (<c>Bff:Tokens:RefreshRequest:Format</c>): one implementation per dialect.</summary>
internal interface IRefreshRequestDialect
{
    /// <summary>
    /// The request presenting <paramref name="refreshToken"/> for an access token for <paramref name="target"/>,
    /// or null when the endpoint is unknown right now (discovery unavailable).
    /// </summary>
    Task<HttpRequestMessage?> CreateAsync(string refreshToken, TokenTarget target, CancellationToken cancellationToken);
}
