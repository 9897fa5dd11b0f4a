using Bff.Sessions;

namespace Bff.Tokens;

internal enum AccessTokenStatus
{
    /// <summary>A token to forward: <see cref="AccessTokenResult.AccessToken"/>.</summary>
    Available,

    /// <summary>The provider rejected the refresh token, or the session is gone: 401 <c>session_ended</c>.</summary>
    SessionEnded,

    /// <summary>No valid token now, but the session stays: 503 <c>refresh_unavailable</c> with Retry-After.</summary>
    Unavailable,

    /// <summary>The provider refuses tokens for the route's resource or scope; the session stays: 502 <c>token_refused</c>.</summary>
    Refused,
}

/// <param name="Status">What the request gets.</param>
/// <param name="Authorization">The <c>Authorization</c> header value to forward (<see cref="BearerAuthorization"/>), when <see cref="AccessTokenStatus.Available"/>.</param>
/// <param name="RetryAfter">When <see cref="AccessTokenStatus.Unavailable"/> because of a back-off: how long it lasts.</param>
/// <param name="ExpiresAt">When the token expires (known when it came from a session).</param>
internal readonly record struct AccessTokenResult(AccessTokenStatus Status, string? Authorization, TimeSpan? RetryAfter = null, DateTimeOffset ExpiresAt = default)
{
    public static readonly AccessTokenResult Ended = new(AccessTokenStatus.SessionEnded, null);
    public static readonly AccessTokenResult Unavailable = new(AccessTokenStatus.Unavailable, null);
    public static readonly AccessTokenResult Refused = new(AccessTokenStatus.Refused, null);

    public static AccessTokenResult HeldBack(TimeSpan retryAfter) => new(AccessTokenStatus.Unavailable, null, retryAfter);

    /// <summary>The token forwarded, a copy: for the refresh path, which compares tokens.</summary>
    public string? AccessToken => Authorization is null ? null : BearerAuthorization.TokenOf(Authorization);

    /// <summary>The session's token for <paramref name="target"/>; unavailable if it holds none.</summary>
    public static AccessTokenResult From(SessionRecord session, TokenTarget target) =>
        session.Tokens.TryGetAuthorization(target, out var authorization, out var expiresAt) ? new(AccessTokenStatus.Available, authorization, null, expiresAt) : Unavailable;

    /// <summary>The gateway's own token (<see cref="ClientTokenProvider"/>).</summary>
    public static AccessTokenResult From(TargetToken token) => new(AccessTokenStatus.Available, token.Authorization, null, token.ExpiresAt);
}
