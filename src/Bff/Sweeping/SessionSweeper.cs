using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Bff.Configuration;
using Bff.Diagnostics;
using Bff.Locking;
using Bff.Sessions;
using Bff.Tokens;
using Bff.Tracking;
using Microsoft.Extensions.Options;

namespace Bff.Sweeping;

/// <summary>
/// Refreshes sessions before their access token expires, whether or not a request is in flight. Every
/// <c>Bff:Sweeper:Interval</c> each instance claims due sessions from the shared schedule and refreshes them
/// through the same coordinator as requests (same lock, same fenced write), at most
/// <c>Bff:Sweeper:MaxConcurrency</c> at a time. Sessions that will go idle before their token expires are
/// left to expire. On shutdown it stops claiming and lets the refreshes it started finish (invariant 7).
/// </summary>
internal sealed class SessionSweeper(
    IRefreshSchedule schedule,
    ISessionStore store,
    TokenRefreshCoordinator coordinator,
    IRefreshLock refreshLock,
    RefreshDue due,
    IOptions<BffOptions> options,
    TimeProvider time,
    BffMetrics metrics,
    ILogger<SessionSweeper> logger) : BackgroundService
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromMinutes(1);

    private readonly BffOptions _options = options.Value;
    private readonly ConcurrentDictionary<string, int> _failures = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource<DateTimeOffset> _ticking = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _swept = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _lastSweepStartedAt;

    /// <summary>The sweeper's progress, for tests and benchmarks to synchronise on; nothing in the gateway reads it.</summary>
    internal TestAccessor GetTestAccessor() => new(this);

    /// <summary>A claim outlives one refresh attempt; a claimant that died leaves the session due again after it.</summary>
    private TimeSpan ClaimFor => _options.Tokens.LongestRefresh + _options.Sweeper.Interval;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_options.Sweeper.Interval, time);
        _ticking.TrySetResult(time.GetUtcNow());
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                var startedAt = time.GetUtcNow();
                await SweepOnceAsync(stoppingToken);
                Interlocked.Exchange(ref _lastSweepStartedAt, startedAt.UtcTicks);
                Interlocked.Exchange(ref _swept, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutdown: no new claims; the refreshes already started have completed inside SweepOnceAsync.
        }
    }

    internal async Task SweepOnceAsync(CancellationToken stoppingToken)
    {
        try
        {
            var now = time.GetUtcNow();
            var measure = await schedule.MeasureAsync(now);
            metrics.Swept(measure.Scheduled, measure.Due, measure.Oldest, now);
            // A span only for sweeps with work: an idle fleet would otherwise emit one per instance per interval.
            using var activity = measure.Due > 0 ? BffActivities.StartSweep() : null;
            activity?.SetTag("bff.sweeper.due", measure.Due);
            await Parallel.ForEachAsync(
                ClaimDueAsync(stoppingToken),
                new ParallelOptions { MaxDegreeOfParallelism = _options.Sweeper.MaxConcurrency },
                (hash, _) => new ValueTask(SweepSessionAsync(hash)));
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            Log.SweepFailed(logger, exception.GetType().Name);
        }
    }

    /// <summary>Claims due sessions a small batch at a time, as workers free up, until none is due or shutdown begins.</summary>
    private async IAsyncEnumerable<string> ClaimDueAsync([EnumeratorCancellation] CancellationToken stoppingToken)
    {
        var batch = _options.Sweeper.MaxConcurrency;
        while (!stoppingToken.IsCancellationRequested)
        {
            var claimed = await schedule.ClaimDueAsync(time.GetUtcNow(), batch, ClaimFor);
            foreach (var hash in claimed)
            {
                yield return hash;
            }

            if (claimed.Count < batch)
            {
                yield break;
            }
        }
    }

    private async Task SweepSessionAsync(string hash)
    {
        var key = SessionKey.FromHash(hash);
        var session = await store.GetAsync(key, CancellationToken.None);
        if (session is null)
        {
            // Ended or expired (idle or absolute): nothing to keep alive.
            await schedule.UnscheduleAsync(hash);
            return;
        }

        var now = time.GetUtcNow();
        var tokens = session.Tokens;
        var endsAt = session.ExpiresAt(_options.Session.IdleTimeout);
        if (endsAt <= tokens.EarliestExpiry)
        {
            // Idle (or at its absolute end) before the token runs out: refreshing would only keep an
            // abandoned session alive. Look again when it has expired, to take it off the schedule.
            Log.SessionAbandoned(logger, hash);
            await schedule.ScheduleAsync(hash, endsAt);
            return;
        }

        if (tokens.EarliestExpiry - now > due.Window)
        {
            // A stale entry (someone refreshed since): put it back where the current tokens say.
            await schedule.ScheduleAsync(hash, due.For(tokens.EarliestExpiry));
            return;
        }

        // Every token falling due: the sign-in one always, another target's only if an API call used it within one
        // token lifetime; one unused for longer is dropped (a request that needs it again gets a new one).
        var unavailable = false;
        if (tokens.AccessTokenExpiresAt - now <= due.Window)
        {
            unavailable |= await RefreshAsync(key, TokenTarget.Login, tokens.AccessToken);
        }

        foreach (var (targetId, token) in tokens.Targets)
        {
            if (token.ExpiresAt - now > due.Window)
            {
                continue;
            }

            var target = TokenTarget.FromId(targetId);
            if (await store.LastUsedAsync(key, targetId) is { } used && used >= now - (token.ExpiresAt - token.IssuedAt))
            {
                unavailable |= await RefreshAsync(key, target, token.AccessToken);
            }
            else if (await DropUnusedTokenAsync(key, target, token.AccessToken))
            {
                Log.TargetTokenDropped(logger, hash, target.ToString());
            }
        }

        if (unavailable)
        {
            var failures = _failures.AddOrUpdate(hash, 1, static (_, n) => n + 1);
            var backoff = TimeSpan.FromTicks(Math.Min(_options.Sweeper.Interval.Ticks << Math.Min(failures, 16), MaxBackoff.Ticks));
            await schedule.ScheduleAsync(hash, now + backoff);
            return;
        }

        _failures.TryRemove(hash, out _);
    }

    /// <summary>True when the refresh could not be made (the session stays; it is retried after a back-off).</summary>
    private async Task<bool> RefreshAsync(SessionKey key, TokenTarget target, string observedToken) =>
        (await coordinator.RefreshAheadOfExpiryAsync(key, target, observedToken)).Status is AccessTokenStatus.Unavailable or AccessTokenStatus.Refused;

    /// <summary>
    /// Drops <paramref name="target"/>'s token <paramref name="unusedToken"/> from the session, under the session's
    /// lock (a token write outside it could make a refresh in flight lose its rotated refresh token). False when
    /// the lock is busy or the token changed meanwhile: then it is in use after all, or the next sweep decides.
    /// </summary>
    private async Task<bool> DropUnusedTokenAsync(SessionKey key, TokenTarget target, string unusedToken)
    {
        await using var lease = await refreshLock.TryAcquireAsync(key.Hash, _options.Tokens.LockLease, CancellationToken.None);
        if (lease is null || await store.GetAsync(key, CancellationToken.None) is not { } current
            || !string.Equals(current.Tokens.AccessTokenFor(target), unusedToken, StringComparison.Ordinal))
        {
            return false;
        }

        return await store.TryReplaceTokensAsync(key, current, current.Tokens.Without(target.Id), CancellationToken.None) is not null;
    }

    internal readonly struct TestAccessor(SessionSweeper sweeper)
    {
        /// <summary>
        /// The clock's time when the sweep timer started; it ticks every interval from then. Tests on a fake clock
        /// move it onto a tick, because a clock jumping past several ticks shows each intermediate time to the
        /// sweep it wakes.
        /// </summary>
        public Task<DateTimeOffset> TicksFrom => sweeper._ticking.Task;

        /// <summary>Completes when the next sweep has finished.</summary>
        public Task NextSweep => sweeper._swept.Task;

        /// <summary>The clock's time when the last completed sweep started.</summary>
        public DateTimeOffset LastSweepStartedAt => new(Interlocked.Read(ref sweeper._lastSweepStartedAt), TimeSpan.Zero);
    }
}
