using Bff.Sessions;

namespace Bff.Tokens;

internal enum TokenRefreshOutcome
{
    /// <summary>The provider issued new tokens.</summary>
    Succeeded,

    /// <summary>The provider rejected the refresh token (<c>invalid_grant</c>): the only refresh failure that ends a session.</summary>
    Rejected,

    /// <summary>Timeout, 5xx, network error, malformed answer: the session stays (DESIGN invariant 5).</summary>
    Failed,

    /// <summary>
    /// The provider refused the requested resource or scope (<c>invalid_target</c>, <c>invalid_scope</c>): the
    /// refresh token is fine, the route's configuration is not. The session stays; that route fails.
    /// </summary>
    Refused,
}

/// <summary>What one call to the token endpoint produced. <see cref="Detail"/> is safe to log: it never holds a token.</summary>
internal sealed record TokenRefreshResult(TokenRefreshOutcome Outcome, TokenSet? Tokens, string Detail)
{
    public static TokenRefreshResult Success(TokenSet tokens) => new(TokenRefreshOutcome.Succeeded, tokens, "ok");

    public static TokenRefreshResult Rejection(string detail) => new(TokenRefreshOutcome.Rejected, null, detail);

    public static TokenRefreshResult Failure(string detail) => new(TokenRefreshOutcome.Failed, null, detail);

    public static TokenRefreshResult Refusal(string detail) => new(TokenRefreshOutcome.Refused, null, detail);
}
