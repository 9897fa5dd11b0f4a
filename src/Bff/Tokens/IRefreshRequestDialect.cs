namespace Bff.Tokens;

/// <summary>How a refresh request is written (<c>Bff:Tokens:RefreshRequest:Format</c>): one implementation per dialect.</summary>
internal interface IRefreshRequestDialect
{
    /// <summary>The request presenting <paramref name="refreshToken"/>, or null when the endpoint is unknown right now (discovery unavailable).</summary>
    Task<HttpRequestMessage?> CreateAsync(string refreshToken, CancellationToken cancellationToken);
}
