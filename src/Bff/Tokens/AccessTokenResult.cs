using Bff.Sessions;

namespace Bff.Tokens;

internal enum AccessTokenStatus
{
    /// <summary>A token to forward; the session as it was when the token was read.</summary>
    Available,

    /// <summary>The provider rejected the refresh token, or the session is gone: 401 <c>session_ended</c>.</summary>
    SessionEnded,

    /// <summary>No valid token now, but the session stays: 503 <c>refresh_unavailable</c>.</summary>
    Unavailable,
}

internal readonly record struct AccessTokenResult(AccessTokenStatus Status, SessionRecord? Session)
{
    public static readonly AccessTokenResult Ended = new(AccessTokenStatus.SessionEnded, null);
    public static readonly AccessTokenResult Unavailable = new(AccessTokenStatus.Unavailable, null);

    public static AccessTokenResult From(SessionRecord session) => new(AccessTokenStatus.Available, session);
}
