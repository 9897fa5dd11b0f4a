using Bff.Diagnostics;
using Bff.Tracking;

namespace Bff.Sessions;

/// <summary>
/// Wraps the session store so that every write evicts the session's cached copies fleet-wide, every token write
/// reschedules the session's background refresh and every session end takes it off the schedule and the
/// back-channel logout index. The schedule and index are hints kept beside the store (Redis Cluster cannot
/// update them in the same script); the store stays the truth, and a stale hint costs at most one wasted
/// look-up.
/// </summary>
internal sealed class TrackedSessionStore(ISessionStore inner, IRefreshSchedule schedule, ISessionIndex index, RefreshDue due, ISessionChangeFeed changes, BffMetrics metrics, ILogger<TrackedSessionStore> logger)
    : ISessionStore
{
    public Task<SessionRecord?> GetAsync(SessionKey key, CancellationToken cancellationToken) => inner.GetAsync(key, cancellationToken);

    public Task<SessionRecord?> GetRequestViewAsync(SessionKey key, CancellationToken cancellationToken) => inner.GetRequestViewAsync(key, cancellationToken);

    /// <summary>
    /// A sign-in writes three things that may live on three cluster shards: all of them or, as far as the user can
    /// tell, none (the sign-in fails and can be retried). The logout index first (an entry without its session is
    /// harmless), then the session, then its schedule entry; a session whose schedule entry could not be written
    /// is removed again, rather than left without background refresh.
    /// </summary>
    public async Task CreateAsync(SessionKey key, SessionRecord session, CancellationToken cancellationToken)
    {
        await index.AddAsync(key.Hash, IdentityOf(session), session.AbsoluteExpiresAt);
        await inner.CreateAsync(key, session, cancellationToken);
        try
        {
            await schedule.ScheduleAsync(key.Hash, due.For(session.Tokens.EarliestExpiry));
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            Log.SignInUndone(logger, key.Hash, exception.GetType().Name);
            await inner.RemoveAsync(key, CancellationToken.None);
            throw;
        }

        metrics.SessionCreated();
    }

    public async Task<SessionRecord?> TryReplaceTokensAsync(SessionKey key, SessionRecord current, TokenSet tokens, CancellationToken cancellationToken)
    {
        var written = await inner.TryReplaceTokensAsync(key, current, tokens, cancellationToken);
        if (written is not null)
        {
            await changes.PublishAsync(key.Hash);
            await HintAsync(key.Hash, () => schedule.ScheduleAsync(key.Hash, due.For(tokens.EarliestExpiry)));
        }

        return written;
    }

    /// <summary>
    /// Not announced: a touch only moves the idle end later, so another instance's copy stays right about
    /// everything but that end, and a copy that looks idle-expired by its own clock is re-read anyway
    /// (SessionCache). Announcing it evicted every instance's copy of every active session once a minute.
    /// </summary>
    public Task TouchAsync(IReadOnlyCollection<SessionTouch> touches, CancellationToken cancellationToken) =>
        inner.TouchAsync(touches, cancellationToken);

    public async Task RemoveAsync(SessionKey key, CancellationToken cancellationToken)
    {
        var session = await inner.GetAsync(key, cancellationToken);
        await inner.RemoveAsync(key, cancellationToken);
        await changes.PublishAsync(key.Hash);
        if (session is not null)
        {
            metrics.SessionEnded();
            await HintAsync(key.Hash, () => index.RemoveAsync(key.Hash, IdentityOf(session)));
        }

        await HintAsync(key.Hash, () => schedule.UnscheduleAsync(key.Hash));
    }

    public Task MarkUsedAsync(SessionKey key, string targetId, DateTimeOffset at) => inner.MarkUsedAsync(key, targetId, at);

    public Task<DateTimeOffset?> LastUsedAsync(SessionKey key, string targetId) => inner.LastUsedAsync(key, targetId);

    private static ProviderIdentity IdentityOf(SessionRecord session) => new(
        session.Claims.FirstOrDefault(c => c.Type == "sub")?.Value,
        session.Claims.FirstOrDefault(c => c.Type == "sid")?.Value);

    /// <summary>
    /// Updates a hint after the store's write has succeeded. A failure here must not report the write as
    /// failed (the refresh coordinator would retry a write that is already done): it is logged, and the
    /// sweeper repairs the schedule when it next finds the entry stale or the session gone.
    /// </summary>
    private async Task HintAsync(string sessionHash, Func<Task> update)
    {
        try
        {
            await update();
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            Log.HintUpdateFailed(logger, sessionHash, exception.GetType().Name);
        }
    }
}
