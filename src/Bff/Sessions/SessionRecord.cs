namespace Bff.Sessions;

/// <summary>
/// A server-side session. <see cref="Version"/> increases on every token write; writes are conditional on it
/// (DESIGN invariant 3), so an older writer can never replace newer tokens.
/// </summary>
internal sealed record SessionRecord
{
    public required long Version { get; init; }
    public required TokenSet Tokens { get; init; }
    public required IReadOnlyList<SessionClaim> Claims { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset LastActiveAt { get; init; }
    public required DateTimeOffset AbsoluteExpiresAt { get; init; }

    /// <summary>Random value the SPA must echo to <c>GET /bff/logout?sid=</c>, so a cross-site link cannot log the user out.</summary>
    public required string LogoutId { get; init; }

    public DateTimeOffset IdleExpiresAt(TimeSpan idleTimeout) => LastActiveAt + idleTimeout;

    public DateTimeOffset ExpiresAt(TimeSpan idleTimeout) =>
        IdleExpiresAt(idleTimeout) < AbsoluteExpiresAt ? IdleExpiresAt(idleTimeout) : AbsoluteExpiresAt;

    public bool IsExpired(DateTimeOffset now, TimeSpan idleTimeout) => IsExpired(LastActiveAt, AbsoluteExpiresAt, now, idleTimeout);

    /// <summary>Whether a session with these times has ended, for a caller that has not built the record yet.</summary>
    public static bool IsExpired(DateTimeOffset lastActiveAt, DateTimeOffset absoluteExpiresAt, DateTimeOffset now, TimeSpan idleTimeout) =>
        lastActiveAt + idleTimeout <= now || absoluteExpiresAt <= now;

    /// <summary>
    /// The request path's view: without the refresh and id tokens, which only the refresh coordinator and logout
    /// use (and read from the store themselves).
    /// </summary>
    public SessionRecord WithoutSecrets() => Tokens.RefreshToken is null && Tokens.IdToken is null
        ? this
        : this with { Tokens = Tokens with { RefreshToken = null, IdToken = null } };
}
