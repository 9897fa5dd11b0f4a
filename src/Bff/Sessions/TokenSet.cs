namespace Bff.Sessions;

/// <summary>The provider's tokens for one session. Lives only server-side; never serialised to the browser.</summary>
internal sealed record TokenSet(string AccessToken, string? RefreshToken, string? IdToken, DateTimeOffset AccessTokenExpiresAt)
{
    /// <summary>True when the access token expires within <paramref name="refreshBeforeExpiry"/> of <paramref name="now"/>.</summary>
    public bool NeedsRefresh(DateTimeOffset now, TimeSpan refreshBeforeExpiry) =>
        AccessTokenExpiresAt - refreshBeforeExpiry <= now;

    public bool IsAccessTokenValid(DateTimeOffset now) => AccessTokenExpiresAt > now;

    /// <summary>Never print tokens.</summary>
    public override string ToString() => $"TokenSet(expires {AccessTokenExpiresAt:O})";
}
