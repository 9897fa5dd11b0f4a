namespace Bff.Sessions;

/// <summary>
/// Where sessions live: in process (single instance) or in Redis (a fleet). Every implementation passes the
/// same contract tests (<c>SessionStoreContract</c>).
/// </summary>
internal interface ISessionStore
{
    /// <summary>The session, or null when it does not exist or has expired.</summary>
    Task<SessionRecord?> GetAsync(SessionKey key, CancellationToken cancellationToken);

    /// <summary>
    /// The session as the request path needs it, without the refresh and id tokens
    /// (<see cref="SessionRecord.WithoutSecrets"/>), or null when it does not exist or has expired. Cheaper than
    /// <see cref="GetAsync"/> where the secrets are stored apart.
    /// </summary>
    Task<SessionRecord?> GetRequestViewAsync(SessionKey key, CancellationToken cancellationToken);

    /// <summary>Stores a new session (version 1).</summary>
    Task CreateAsync(SessionKey key, SessionRecord session, CancellationToken cancellationToken);

    /// <summary>
    /// Replaces the tokens of <paramref name="current"/> (as read from this store) only if the stored version is
    /// still <paramref name="current"/>'s; the stored version then goes up by one. Claims, logout id and
    /// timestamps stay as stored. Returns the new record, or null when the session changed or is gone (a
    /// fenced, compare-and-set write, DESIGN invariant 3: the store itself checks the version, atomically).
    /// </summary>
    Task<SessionRecord?> TryReplaceTokensAsync(SessionKey key, SessionRecord current, TokenSet tokens, CancellationToken cancellationToken);

    /// <summary>
    /// Slides the idle timeouts of existing sessions, each only forward; does not change versions. One call for many
    /// sessions, so that a store across the network can send them together.
    /// </summary>
    Task TouchAsync(IReadOnlyCollection<SessionTouch> touches, CancellationToken cancellationToken);

    Task RemoveAsync(SessionKey key, CancellationToken cancellationToken);

    /// <summary>
    /// Records that an API call used the session's token for target <paramref name="targetId"/> at
    /// <paramref name="at"/> (only forward; nothing when the session is gone). Not a token write: the version
    /// stays and no cached copy is evicted. The sweeper reads it to keep only tokens in use fresh.
    /// </summary>
    Task MarkUsedAsync(SessionKey key, string targetId, DateTimeOffset at);

    /// <summary>The last use recorded by <see cref="MarkUsedAsync"/>, or null when none was.</summary>
    Task<DateTimeOffset?> LastUsedAsync(SessionKey key, string targetId);
}
