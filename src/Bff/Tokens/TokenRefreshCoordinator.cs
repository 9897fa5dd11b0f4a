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
/// half-way and lose the rotated refresh token. A session may hold tokens for several targets (resources,
/// scopes); each has its own flight, but all of a session's flights take the session's one lock and re-read
/// under it, so its one refresh token is never presented twice (invariant 9). After a failure a session's
/// target backs off (<see cref="RefreshBackoff"/>) and the token endpoint has a circuit breaker
/// (<see cref="TokenEndpointBreaker"/>): a failing provider does not drive refreshes.
/// </summary>
internal sealed class TokenRefreshCoordinator(
    ISessionStore store,
    IRefreshLock refreshLock,
    IRefreshSignal signal,
    ITokenEndpointClient tokenEndpoint,
    TokenEndpointBreaker breaker,
    TargetUse targetUse,
    IOptions<BffOptions> options,
    TimeProvider time,
    BffMetrics metrics,
    ILogger<TokenRefreshCoordinator> logger) : IDisposable
{
    /// <summary>A waiter re-reads the session at least this often, in case a published result was lost.</summary>
    private static readonly TimeSpan FallbackReread = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<string, Task<AccessTokenResult>> _flights = new(StringComparer.Ordinal);
    private readonly BffTokenOptions _tokens = options.Value.Tokens;
    private readonly RefreshBackoff _failures = new(options, time);

    /// <summary>Number of flights in this process, for graceful shutdown and tests.</summary>
    public int InFlightCount => _flights.Count;

    /// <summary>
    /// The session's access token for <paramref name="target"/>, obtained or refreshed first when it has none or
    /// it expires within <c>Bff:Tokens:RefreshBeforeExpiry</c>. The request waits for the refresh at most
    /// <c>Bff:Tokens:IdpTimeout</c>; the refresh itself goes on without it (<see cref="CallProviderAsync"/>).
    /// While the target backs off after a failure, no refresh starts: the old token if still valid, else 503.
    /// </summary>
    public ValueTask<AccessTokenResult> GetAccessTokenAsync(SessionKey key, SessionRecord session, TokenTarget target, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (!session.Tokens.NeedsRefresh(target, now, _tokens.RefreshBeforeExpiry))
        {
            return new(Used(key, target, AccessTokenResult.From(session, target)));
        }

        var need = new RefreshNeed(key, target, session.Tokens.AccessTokenFor(target), EvenIfValid: false, RefreshTrigger.Request);
        if (_failures.IsHeld(need.FlightKey, out var remaining))
        {
            metrics.RefreshHeldBack("backoff");
            return new(session.Tokens.IsValid(target, now) ? Used(key, target, AccessTokenResult.From(session, target)) : AccessTokenResult.HeldBack(remaining));
        }

        return new(WaitForRequestAsync(need, JoinFlight(need), session, cancellationToken));
    }

    /// <summary>
    /// Replaces <paramref name="target"/>'s token <paramref name="rejectedToken"/>, which looked valid but which
    /// the upstream API answered with 401. A different token is returned as is: it was refreshed already. The
    /// request waits at most <c>Bff:Tokens:IdpTimeout</c>. Whether to ask is <see cref="RejectedTokenReplacements"/>' call.
    /// </summary>
    public Task<AccessTokenResult> ReplaceRejectedTokenAsync(SessionKey key, TokenTarget target, string rejectedToken, CancellationToken cancellationToken)
    {
        var need = new RefreshNeed(key, target, rejectedToken, EvenIfValid: true, RefreshTrigger.Request);
        return WaitForRequestAsync(need, JoinFlight(need), stillValid: null, cancellationToken);
    }

    /// <summary>
    /// The sweeper's refresh ahead of expiry: refreshes <paramref name="target"/>'s token
    /// <paramref name="observedToken"/> although it is still valid, unless another has replaced it by the time the
    /// lock is held. Waits for the whole refresh; <see cref="AccessTokenStatus.Unavailable"/> when it failed.
    /// </summary>
    public Task<AccessTokenResult> RefreshAheadOfExpiryAsync(SessionKey key, TokenTarget target, string observedToken)
    {
        var need = new RefreshNeed(key, target, observedToken, EvenIfValid: true, RefreshTrigger.Sweeper);
        return _failures.IsHeld(need.FlightKey, out var remaining) ? Task.FromResult(AccessTokenResult.HeldBack(remaining)) : JoinFlight(need);
    }

    /// <summary>Completes when every refresh in flight in this process has finished and stored its result (graceful shutdown).</summary>
    public Task DrainAsync() => Task.WhenAll(_flights.Values);

    public void Dispose() => _failures.Dispose();

    private AccessTokenResult Used(SessionKey key, TokenTarget target, AccessTokenResult result)
    {
        if (result.Authorization is not null)
        {
            targetUse.Record(key, target, result.ExpiresAt);
        }

        return result;
    }

    private Task<AccessTokenResult> JoinFlight(RefreshNeed need)
    {
        var mine = new TaskCompletionSource<AccessTokenResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        var flight = _flights.GetOrAdd(need.FlightKey, mine.Task);
        if (flight == mine.Task)
        {
            _ = FlyAsync(need, mine);
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
    private async Task<AccessTokenResult> WaitForRequestAsync(RefreshNeed need, Task<AccessTokenResult> flight, SessionRecord? stillValid, CancellationToken cancellationToken)
    {
        try
        {
            return Used(need.Key, need.Target, await flight.WaitAsync(_tokens.IdpTimeout, time, cancellationToken));
        }
        catch (TimeoutException)
        {
            metrics.RequestGaveUpWaiting();
            return stillValid is null ? AccessTokenResult.Unavailable : OldTokenOrUnavailable(stillValid, need);
        }
    }

    private async Task FlyAsync(RefreshNeed need, TaskCompletionSource<AccessTokenResult> flight)
    {
        using var activity = BffActivities.StartRefresh(need.Key.Hash, TelemetryTags.Of(need.Trigger));
        AccessTokenResult result;
        try
        {
            result = await RefreshWhenLockedAsync(need);
        }
        catch (Exception exception)
        {
            // Redis errors, corrupt data, bugs: the request fails with 503, the session stays (invariant 5).
            Log.RefreshCrashed(logger, need.Key.Hash, exception);
            await signal.PublishQuietlyAsync(need.Key.Hash, RefreshNotice.Failed, logger);
            result = AccessTokenResult.HeldBack(_failures.Failed(need.FlightKey));
        }
        finally
        {
            _flights.TryRemove(new KeyValuePair<string, Task<AccessTokenResult>>(need.FlightKey, flight.Task));
        }

        activity?.SetTag("bff.refresh.result", result.Status.ToString().ToLowerInvariant());
        // The span ends before the waiting requests go on (they resume on other threads): a trace never shows
        // an upstream call starting inside the refresh it waited for.
        activity?.Stop();
        flight.SetResult(result);
    }

    private async Task<AccessTokenResult> RefreshWhenLockedAsync(RefreshNeed need)
    {
        var key = need.Key;
        var deadline = time.GetUtcNow() + _tokens.MaxWait;
        var waitStarted = time.GetTimestamp();
        var waited = false;
        try
        {
            while (true)
            {
                var published = signal.Subscribe(key.Hash);
                var refreshed = await TryRefreshHoldingLockAsync(need);
                if (refreshed is (var result, var notice))
                {
                    // Published only once the lock is free, so a woken waiter can always take it.
                    if (notice is { } publish)
                    {
                        await signal.PublishQuietlyAsync(key.Hash, publish, logger);
                    }

                    return result;
                }

                // Another holder (here or on another instance, for this target or another of the session's) is
                // refreshing: wait for its notice, re-reading at least every FallbackReread in case the notice was
                // lost. Real time, like the lease: a lost notice and a lapsed lease are both network events, and a
                // test clock standing still must not hide a lease that lapsed while its holder was still calling.
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

                // Another holder stored what this flight needs: use it (invariant 2).
                if (!need.IsNeededBy(current.Tokens, now, _tokens.RefreshBeforeExpiry))
                {
                    return AccessTokenResult.From(current, need.Target);
                }

                var holderFailed = published.IsCompletedSuccessfully && published.Result == RefreshNotice.Failed;
                if (holderFailed || now >= deadline)
                {
                    // The holder just failed (do not pile onto the provider), or it outlived its lease: answer now.
                    if (!holderFailed)
                    {
                        Log.RefreshWaitTimedOut(logger, key.Hash);
                    }

                    return OldTokenOrUnavailable(current, need);
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
    /// 401 or for the sweeper (<see cref="RefreshNeed.EvenIfValid"/>): the API has already refused that token.
    /// </summary>
    private AccessTokenResult OldTokenOrUnavailable(SessionRecord current, RefreshNeed need) =>
        !need.EvenIfValid && current.Tokens.IsValid(need.Target, time.GetUtcNow()) ? AccessTokenResult.From(current, need.Target) : AccessTokenResult.Unavailable;

    /// <summary>The old token while still valid, else 503 with Retry-After <paramref name="retryAfter"/>.</summary>
    private AccessTokenResult OldTokenOrHeldBack(SessionRecord current, RefreshNeed need, TimeSpan retryAfter) =>
        OldTokenOrUnavailable(current, need) is { Status: AccessTokenStatus.Available } old ? old : AccessTokenResult.HeldBack(retryAfter);

    /// <summary>Null when another owner holds the session's lock; otherwise the result and the notice to publish.</summary>
    private async Task<(AccessTokenResult Result, RefreshNotice? Notice)?> TryRefreshHoldingLockAsync(RefreshNeed need)
    {
        await using var lease = await refreshLock.TryAcquireAsync(need.Key.Hash, _tokens.LockLease, CancellationToken.None);
        return lease is null ? null : await RefreshHoldingLockAsync(need, lease);
    }

    private async Task<(AccessTokenResult Result, RefreshNotice? Notice)> RefreshHoldingLockAsync(RefreshNeed need, IRefreshLease lease)
    {
        var key = need.Key;
        // Double-check under the lock: another flight (for this target or, rotating the refresh token, another)
        // may have written while this one waited; the refresh token read here is the current one.
        var current = await store.GetAsync(key, CancellationToken.None);
        if (current is null)
        {
            return (AccessTokenResult.Ended, null);
        }

        if (!need.IsNeededBy(current.Tokens, time.GetUtcNow(), _tokens.RefreshBeforeExpiry))
        {
            return (AccessTokenResult.From(current, need.Target), null);
        }

        if (!breaker.TryPass(out var retryAfter))
        {
            // The provider is failing for everyone: no call, and no back-off of this session's own (it did not fail).
            metrics.RefreshHeldBack("circuit_open");
            return (OldTokenOrHeldBack(current, need, retryAfter), RefreshNotice.Failed);
        }

        var called = time.GetTimestamp();
        var result = await CallProviderAsync(current.Tokens, need.Target, lease);
        metrics.Refreshed(TelemetryTags.Of(result.Outcome), TelemetryTags.Of(need.Trigger), time.GetElapsedTime(called));
        switch (result.Outcome)
        {
            case TokenRefreshOutcome.Succeeded:
                _failures.Succeeded(need.FlightKey);
                var updated = await StoreRefreshedTokensAsync(key, current, result.Tokens!, lease);
                Log.Refreshed(logger, key.Hash, current.Version, updated?.Version);
                return (updated is not null ? AccessTokenResult.From(updated, need.Target) : await ReadAfterLostWriteAsync(need), RefreshNotice.Changed);

            case TokenRefreshOutcome.Rejected when current.Tokens.RefreshToken is null:
                Log.NoRefreshTokenIssued(logger, key.Hash);
                await store.RemoveAsync(key, CancellationToken.None);
                return (AccessTokenResult.Ended, RefreshNotice.Changed);

            case TokenRefreshOutcome.Rejected:
                Log.RefreshRejected(logger, key.Hash, result.Detail);
                await store.RemoveAsync(key, CancellationToken.None);
                return (AccessTokenResult.Ended, RefreshNotice.Changed);

            case TokenRefreshOutcome.Refused:
                Log.RefreshRefused(logger, key.Hash, need.Target.ToString(), result.Detail);
                _failures.Failed(need.FlightKey);
                return (AccessTokenResult.Refused, RefreshNotice.Failed);

            default:
                Log.RefreshFailed(logger, key.Hash, result.Detail);
                return (OldTokenOrHeldBack(current, need, _failures.Failed(need.FlightKey)), RefreshNotice.Failed);
        }
    }

    /// <summary>
    /// One call to the token endpoint. It is not cut off when the requests waiting for it give up
    /// (<c>Bff:Tokens:IdpTimeout</c>): a provider that answers late has usually rotated the refresh token
    /// already, and only storing its answer keeps the session on a provider without a reuse grace window. It is
    /// cut off at <c>Bff:Tokens:IdpCallLimit</c>, and the lease is renewed meanwhile (invariant 4).
    /// </summary>
    /// <remarks>Only after <see cref="TokenEndpointBreaker.TryPass"/>: reports the outcome to the breaker.</remarks>
    private async Task<TokenRefreshResult> CallProviderAsync(TokenSet tokens, TokenTarget target, IRefreshLease lease)
    {
        using var activity = BffActivities.StartTokenEndpointCall();
        using var limit = new CancellationTokenSource(_tokens.IdpCallLimit, time);
        using var answered = new CancellationTokenSource();
        var renewing = RenewWhileCallingAsync(lease, answered.Token);
        var result = TokenRefreshResult.Failure("the call did not complete");
        try
        {
            result = await tokenEndpoint.RefreshAsync(tokens, target, limit.Token);
        }
        catch (OperationCanceledException) when (limit.IsCancellationRequested)
        {
            result = TokenRefreshResult.Failure($"no answer within Bff:Tokens:IdpCallLimit ({_tokens.IdpCallLimit})");
        }
        finally
        {
            breaker.Report(failed: result.Outcome == TokenRefreshOutcome.Failed);
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
    private async Task<AccessTokenResult> ReadAfterLostWriteAsync(RefreshNeed need)
    {
        var current = await store.GetAsync(need.Key, CancellationToken.None);
        return current is null ? AccessTokenResult.Ended : AccessTokenResult.From(current, need.Target);
    }
}
