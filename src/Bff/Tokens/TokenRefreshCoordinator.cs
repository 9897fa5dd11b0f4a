using System.Collections.Concurrent;
using System.Diagnostics;
using Bff.Configuration;
using Bff.Diagnostics;
using Bff.Locking;
using Bff.Sessions;
using Microsoft.Extensions.Options;

namespace Bff.Tokens;

/// <summary>
/// Hands out access tokens, refreshing them so that each refresh token is presented to the provider at most
/// once, fleet-wide (DESIGN invariants 1-5):
/// <list type="number">
/// <item>In this process, concurrent needs of one session share one flight (a task per session hash).</item>
/// <item>Across processes, the per-session lease lock decides which flight calls the provider; the holder
/// re-reads the session under the lock and refreshes only if the token it read still needs it.</item>
/// <item>The new tokens are written with a version check, then published so waiters elsewhere wake up and
/// re-read instead of polling.</item>
/// </list>
/// A flight never depends on the request that started it: a browser that goes away cannot cancel a refresh
/// half-way and lose the rotated refresh token.
/// </summary>
internal sealed class TokenRefreshCoordinator(
    ISessionStore store,
    IRefreshLock refreshLock,
    IRefreshSignal signal,
    ITokenEndpointClient tokenEndpoint,
    IOptions<BffOptions> options,
    TimeProvider time,
    BffMetrics metrics,
    ILogger<TokenRefreshCoordinator> logger)
{
    /// <summary>A waiter re-reads the session at least this often, in case a published result was lost.</summary>
    private static readonly TimeSpan FallbackReread = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<string, Task<AccessTokenResult>> _flights = new(StringComparer.Ordinal);
    private readonly BffTokenOptions _tokens = options.Value.Tokens;

    /// <summary>Number of flights in this process, for graceful shutdown and tests.</summary>
    public int InFlightCount => _flights.Count;

    /// <summary>
    /// The session's access token for a request, refreshed first when it expires within
    /// <c>Bff:Tokens:RefreshBeforeExpiry</c>. The request waits for the refresh at most <c>Bff:Tokens:IdpTimeout</c>;
    /// the refresh itself goes on without it (<see cref="CallProviderAsync"/>).
    /// </summary>
    public ValueTask<AccessTokenResult> GetAccessTokenAsync(SessionKey key, SessionRecord session, CancellationToken cancellationToken) =>
        session.Tokens.NeedsRefresh(time.GetUtcNow(), _tokens.RefreshBeforeExpiry)
            ? new(WaitForRequestAsync(JoinFlight(key, session.Version, evenIfValid: false, RefreshTrigger.Request), session, cancellationToken))
            : new(AccessTokenResult.From(session));

    /// <summary>
    /// Replaces the token of session version <paramref name="rejectedVersion"/>, which looked valid but which
    /// the upstream API answered with 401. A newer version is returned as is: it was refreshed already. The
    /// request waits at most <c>Bff:Tokens:IdpTimeout</c>.
    /// </summary>
    public Task<AccessTokenResult> ReplaceRejectedTokenAsync(SessionKey key, long rejectedVersion, CancellationToken cancellationToken) =>
        WaitForRequestAsync(JoinFlight(key, rejectedVersion, evenIfValid: true, RefreshTrigger.Request), stillValid: null, cancellationToken);

    /// <summary>
    /// The sweeper's refresh ahead of expiry: refreshes session version <paramref name="observedVersion"/>
    /// although its token is still valid, unless a newer version exists by the time the lock is held. Waits for
    /// the whole refresh; <see cref="AccessTokenStatus.Unavailable"/> when it failed.
    /// </summary>
    public Task<AccessTokenResult> RefreshAheadOfExpiryAsync(SessionKey key, long observedVersion) =>
        JoinFlight(key, observedVersion, evenIfValid: true, RefreshTrigger.Sweeper);

    /// <summary>Completes when every refresh in flight in this process has finished and stored its result (graceful shutdown).</summary>
    public Task DrainAsync() => Task.WhenAll(_flights.Values);

    private Task<AccessTokenResult> JoinFlight(SessionKey key, long observedVersion, bool evenIfValid, RefreshTrigger trigger)
    {
        var mine = new TaskCompletionSource<AccessTokenResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        var flight = _flights.GetOrAdd(key.Hash, mine.Task);
        if (flight == mine.Task)
        {
            _ = FlyAsync(key, observedVersion, evenIfValid, trigger, mine);
        }
        else
        {
            metrics.JoinedInFlightRefresh();
        }

        return flight;
    }

    /// <summary>
    /// A request waits for the flight at most <c>Bff:Tokens:IdpTimeout</c>, then answers with the old token while
    /// it is still valid, else 503; the flight goes on and stores what the provider answers (invariant 5).
    /// </summary>
    private async Task<AccessTokenResult> WaitForRequestAsync(Task<AccessTokenResult> flight, SessionRecord? stillValid, CancellationToken cancellationToken)
    {
        try
        {
            return await flight.WaitAsync(_tokens.IdpTimeout, time, cancellationToken);
        }
        catch (TimeoutException)
        {
            metrics.RequestGaveUpWaiting();
            return stillValid is null ? AccessTokenResult.Unavailable : OldTokenOrUnavailable(stillValid, evenIfValid: false);
        }
    }

    private async Task FlyAsync(SessionKey key, long observedVersion, bool evenIfValid, RefreshTrigger trigger, TaskCompletionSource<AccessTokenResult> flight)
    {
        using var activity = BffActivities.StartRefresh(key.Hash, TelemetryTags.Of(trigger));
        AccessTokenResult result;
        try
        {
            result = await RefreshWhenLockedAsync(key, observedVersion, evenIfValid, trigger);
        }
        catch (Exception exception)
        {
            // Redis errors, corrupt data, bugs: the request fails with 503, the session stays (invariant 5).
            Log.RefreshCrashed(logger, key.Hash, exception);
            await PublishQuietlyAsync(key, RefreshNotice.Failed);
            result = AccessTokenResult.Unavailable;
        }
        finally
        {
            _flights.TryRemove(new KeyValuePair<string, Task<AccessTokenResult>>(key.Hash, flight.Task));
        }

        activity?.SetTag("bff.refresh.result", result.Status.ToString().ToLowerInvariant());
        // The span ends before the waiting requests go on (they resume on other threads): a trace never shows
        // an upstream call starting inside the refresh it waited for.
        activity?.Stop();
        flight.SetResult(result);
    }

    private async Task<AccessTokenResult> RefreshWhenLockedAsync(SessionKey key, long observedVersion, bool evenIfValid, RefreshTrigger trigger)
    {
        var deadline = time.GetUtcNow() + _tokens.MaxWait;
        var waitStarted = time.GetTimestamp();
        var waited = false;
        try
        {
            while (true)
            {
                var published = signal.Subscribe(key.Hash);
                var refreshed = await TryRefreshHoldingLockAsync(key, observedVersion, evenIfValid, trigger);
                if (refreshed is (var result, var notice))
                {
                    // Published only once the lock is free, so a woken waiter can always take it.
                    if (notice is { } publish)
                    {
                        await PublishQuietlyAsync(key, publish);
                    }

                    return result;
                }

                // Another holder (here or on another instance) is refreshing: wait for its notice, re-reading at
                // least every FallbackReread in case the notice was lost. Real time, like the lease: a lost
                // notice and a lapsed lease are both network events, and a test clock standing still must not
                // hide a lease that lapsed while its holder was still calling the provider.
                waited = true;
                if (deadline > time.GetUtcNow())
                {
                    await Task.WhenAny(published, Task.Delay(FallbackReread));
                }

                var current = await store.GetAsync(key, CancellationToken.None);
                var now = time.GetUtcNow();
                if (current is null)
                {
                    return AccessTokenResult.Ended;
                }

                // Another holder stored newer tokens: use them (invariant 2).
                if (current.Version != observedVersion && (evenIfValid || !current.Tokens.NeedsRefresh(now, _tokens.RefreshBeforeExpiry)))
                {
                    return AccessTokenResult.From(current);
                }

                var holderFailed = published.IsCompletedSuccessfully && published.Result == RefreshNotice.Failed;
                if (holderFailed || now >= deadline)
                {
                    // The holder just failed (do not pile onto the provider), or it outlived its lease: answer now.
                    if (!holderFailed)
                    {
                        Log.RefreshWaitTimedOut(logger, key.Hash);
                    }

                    return OldTokenOrUnavailable(current, evenIfValid);
                }
            }
        }
        finally
        {
            if (waited)
            {
                metrics.LockWaited(time.GetElapsedTime(waitStarted));
            }
        }
    }

    /// <summary>
    /// Without a new token: the old one while it is still valid (invariant 5), else 503. Never after an upstream
    /// 401 (<paramref name="evenIfValid"/>): the API has already refused that token.
    /// </summary>
    private AccessTokenResult OldTokenOrUnavailable(SessionRecord current, bool evenIfValid) =>
        !evenIfValid && current.Tokens.IsAccessTokenValid(time.GetUtcNow()) ? AccessTokenResult.From(current) : AccessTokenResult.Unavailable;

    /// <summary>Null when another owner holds the session's lock; otherwise the result and the notice to publish.</summary>
    private async Task<(AccessTokenResult Result, RefreshNotice? Notice)?> TryRefreshHoldingLockAsync(
        SessionKey key, long observedVersion, bool evenIfValid, RefreshTrigger trigger)
    {
        await using var lease = await refreshLock.TryAcquireAsync(key.Hash, _tokens.LockLease, CancellationToken.None);
        return lease is null ? null : await RefreshHoldingLockAsync(key, observedVersion, evenIfValid, trigger, lease);
    }

    private async Task<(AccessTokenResult Result, RefreshNotice? Notice)> RefreshHoldingLockAsync(
        SessionKey key, long observedVersion, bool evenIfValid, RefreshTrigger trigger, IRefreshLease lease)
    {
        // Double-check under the lock: another flight may have refreshed while this one waited.
        var current = await store.GetAsync(key, CancellationToken.None);
        if (current is null)
        {
            return (AccessTokenResult.Ended, null);
        }

        var needsRefresh = evenIfValid
            ? current.Version == observedVersion
            : current.Tokens.NeedsRefresh(time.GetUtcNow(), _tokens.RefreshBeforeExpiry);
        if (!needsRefresh)
        {
            return (AccessTokenResult.From(current), null);
        }

        var called = time.GetTimestamp();
        var result = await CallProviderAsync(current.Tokens, lease);
        metrics.Refreshed(TelemetryTags.Of(result.Outcome), TelemetryTags.Of(trigger), time.GetElapsedTime(called));
        switch (result.Outcome)
        {
            case TokenRefreshOutcome.Succeeded:
                var updated = await StoreRefreshedTokensAsync(key, current, result.Tokens!, lease);
                Log.Refreshed(logger, key.Hash, current.Version, updated?.Version);
                return (updated is not null ? AccessTokenResult.From(updated) : await ReadAfterLostWriteAsync(key), RefreshNotice.Changed);

            case TokenRefreshOutcome.Rejected:
                Log.RefreshRejected(logger, key.Hash, result.Detail);
                await store.RemoveAsync(key, CancellationToken.None);
                return (AccessTokenResult.Ended, RefreshNotice.Changed);

            default:
                Log.RefreshFailed(logger, key.Hash, result.Detail);
                return (OldTokenOrUnavailable(current, evenIfValid), RefreshNotice.Failed);
        }
    }

    /// <summary>
    /// One call to the token endpoint. It is not cut off when the requests waiting for it give up
    /// (<c>Bff:Tokens:IdpTimeout</c>): a provider that answers late has usually rotated the refresh token
    /// already, and only storing its answer keeps the session on a provider without a reuse grace window. It is
    /// cut off at <c>Bff:Tokens:IdpCallLimit</c>, and the lease is renewed meanwhile (invariant 4).
    /// </summary>
    private async Task<TokenRefreshResult> CallProviderAsync(TokenSet tokens, IRefreshLease lease)
    {
        using var activity = BffActivities.StartTokenEndpointCall();
        using var limit = new CancellationTokenSource(_tokens.IdpCallLimit, time);
        using var answered = new CancellationTokenSource();
        var renewing = RenewWhileCallingAsync(lease, answered.Token);
        TokenRefreshResult result;
        try
        {
            result = await tokenEndpoint.RefreshAsync(tokens, limit.Token);
        }
        catch (OperationCanceledException) when (limit.IsCancellationRequested)
        {
            result = TokenRefreshResult.Failure($"no answer within Bff:Tokens:IdpCallLimit ({_tokens.IdpCallLimit})");
        }
        finally
        {
            await answered.CancelAsync();
            await renewing;
        }

        activity?.SetTag("bff.refresh.outcome", TelemetryTags.Of(result.Outcome));
        if (result.Outcome != TokenRefreshOutcome.Succeeded)
        {
            activity?.SetStatus(ActivityStatusCode.Error, result.Outcome.ToString());
        }

        return result;
    }

    /// <summary>
    /// Renews the lease every third of it until the provider has answered. Real time, like the lease itself
    /// (Redis expires it in real time). A failed renewal is retried at the next beat; if Redis stays away, the
    /// lease lapses and the answer is still stored, fenced on the version.
    /// </summary>
    private async Task RenewWhileCallingAsync(IRefreshLease lease, CancellationToken answered)
    {
        try
        {
            while (true)
            {
                await Task.Delay(_tokens.LockLease / 3, answered);
                try
                {
                    await lease.ExtendAsync(_tokens.LockLease);
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    Log.LeaseRenewalFailed(logger, exception.GetType().Name);
                }
            }
        }
        catch (OperationCanceledException) when (answered.IsCancellationRequested)
        {
            // The provider answered (or the call was cut off): the caller stores the result under the lease.
        }
    }

    /// <summary>
    /// The provider has rotated the refresh token: the new one exists nowhere else, so keep trying to store it
    /// while the lease can be kept (a Redis blip must not turn into a reuse of the spent token). Measured on the
    /// real clock, like the lease itself (Redis expires it in real time); a test clock standing still must not
    /// turn a Redis timeout into a retry that never wakes.
    /// </summary>
    private async Task<SessionRecord?> StoreRefreshedTokensAsync(SessionKey key, SessionRecord current, TokenSet tokens, IRefreshLease lease)
    {
        var started = Stopwatch.GetTimestamp();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await store.TryReplaceTokensAsync(key, current, tokens, CancellationToken.None);
            }
            catch (Exception exception) when (Stopwatch.GetElapsedTime(started) < _tokens.LockLease)
            {
                Log.StoreRetry(logger, key.Hash, attempt, exception.GetType().Name);
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(100 * attempt, 1000)));
                try
                {
                    await lease.ExtendAsync(_tokens.LockLease);
                }
                catch (Exception)
                {
                    // The next store attempt will tell whether Redis is back.
                }
            }
        }
    }

    /// <summary>The fenced write lost: the session was ended or rewritten meanwhile. Report what is there now.</summary>
    private async Task<AccessTokenResult> ReadAfterLostWriteAsync(SessionKey key)
    {
        var current = await store.GetAsync(key, CancellationToken.None);
        return current is null ? AccessTokenResult.Ended : AccessTokenResult.From(current);
    }

    private async Task PublishQuietlyAsync(SessionKey key, RefreshNotice notice)
    {
        try
        {
            await signal.PublishAsync(key.Hash, notice);
        }
        catch (Exception exception)
        {
            // Waiters fall back to re-reading the store.
            Log.PublishFailed(logger, key.Hash, exception.GetType().Name);
        }
    }
}
