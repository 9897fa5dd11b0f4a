using System.Collections.Concurrent;
using Bff.Configuration;
using Bff.Diagnostics;
using Bff.Locking;
using Bff.Redis;
using Bff.Sessions;
using Microsoft.Extensions.Options;

namespace Bff.Tokens;

/// <summary>
/// The gateway's own access tokens (client credentials) for <c>Client</c> and <c>UserOrClient</c> routes, one per
/// target, shared by the fleet: one token request fleet-wide however many instances and requests need it.
/// <list type="bullet">
/// <item>Requests read this instance's copy: no Redis round trip while it is fresh.</item>
/// <item>When it falls within <c>Bff:Tokens:RefreshBeforeExpiry</c>, one flight per target in this process
/// reads the shared store; if that is not fresher, the holder of the target's lock (the same lease lock as
/// sessions) asks the provider and stores the answer, and the others wait for its notice and re-read.</item>
/// <item>A still-valid token is used while the new one is fetched; an expired one makes the request wait (at most
/// <c>Bff:Tokens:IdpTimeout</c>).</item>
/// <item>Failures back off and go through the token endpoint's circuit breaker, like refreshes.</item>
/// </list>
/// A client-credentials token can be asked for twice without harm (nothing rotates), so unlike a refresh the
/// provider call is simply cut off at <c>IdpTimeout</c>, within the lease.
/// </summary>
internal sealed class ClientTokenProvider(
    IClientTokenStore store,
    IRefreshLock refreshLock,
    IRefreshSignal signal,
    ITokenEndpointClient tokenEndpoint,
    TokenEndpointBreaker breaker,
    IOptions<BffOptions> options,
    TimeProvider time,
    BffMetrics metrics,
    ILogger<ClientTokenProvider> logger) : IDisposable
{
    private static readonly TimeSpan FallbackReread = TimeSpan.FromSeconds(1);

    private readonly BffTokenOptions _tokens = options.Value.Tokens;
    private readonly ConcurrentDictionary<string, TargetToken> _copies = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Task<AccessTokenResult>> _flights = new(StringComparer.Ordinal);
    private readonly RefreshBackoff _failures = new(options, time);

    public ValueTask<AccessTokenResult> GetAsync(TokenTarget target, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var copy = _copies.GetValueOrDefault(target.Id);
        if (copy is not null && copy.ExpiresAt - _tokens.RefreshBeforeExpiry > now)
        {
            return new(AccessTokenResult.From(copy));
        }

        var valid = copy is not null && copy.ExpiresAt > now;
        if (_failures.IsHeld(target.Id, out var remaining))
        {
            metrics.RefreshHeldBack("backoff");
            return new(valid ? AccessTokenResult.From(copy!) : AccessTokenResult.HeldBack(remaining));
        }

        var mine = new TaskCompletionSource<AccessTokenResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        var flight = _flights.GetOrAdd(target.Id, mine.Task);
        if (flight == mine.Task)
        {
            _ = FlyAsync(target, mine);
        }

        // Due soon but still valid: use it now, the new one arrives for later requests.
        return valid ? new(AccessTokenResult.From(copy!)) : new(WaitAsync(flight, cancellationToken));
    }

    public void Dispose() => _failures.Dispose();

    private async Task<AccessTokenResult> WaitAsync(Task<AccessTokenResult> flight, CancellationToken cancellationToken)
    {
        try
        {
            return await flight.WaitAsync(_tokens.IdpTimeout, time, cancellationToken);
        }
        catch (TimeoutException)
        {
            metrics.RequestGaveUpWaiting();
            return AccessTokenResult.Unavailable;
        }
    }

    private async Task FlyAsync(TokenTarget target, TaskCompletionSource<AccessTokenResult> flight)
    {
        AccessTokenResult result;
        try
        {
            result = await FetchAsync(target);
        }
        catch (Exception exception)
        {
            // Redis errors, corrupt data: the request fails with 503; the next one after the back-off tries again.
            Log.ClientTokenFailed(logger, target.ToString(), exception.GetType().Name);
            result = AccessTokenResult.HeldBack(_failures.Failed(target.Id));
        }
        finally
        {
            _flights.TryRemove(new KeyValuePair<string, Task<AccessTokenResult>>(target.Id, flight.Task));
        }

        flight.SetResult(result);
    }

    private async Task<AccessTokenResult> FetchAsync(TokenTarget target)
    {
        // The lock and the notices are the sessions' own, under a name no session hash can take.
        var name = "client:" + Hashing.Hash(target.Id);
        var deadline = time.GetUtcNow() + _tokens.MaxWait;
        while (true)
        {
            var published = signal.Subscribe(name);
            if (await FreshFromStoreAsync(target) is { } stored)
            {
                return stored;
            }

            await using (var lease = await refreshLock.TryAcquireAsync(name, _tokens.LockLease, CancellationToken.None))
            {
                if (lease is not null)
                {
                    // Re-read under the lock: another holder may have stored one since the read above.
                    var result = await FreshFromStoreAsync(target) ?? await RequestAsync(target);
                    await signal.PublishQuietlyAsync(name, result.Status == AccessTokenStatus.Available ? RefreshNotice.Changed : RefreshNotice.Failed, logger);
                    return result;
                }
            }

            if (time.GetUtcNow() >= deadline || (published.IsCompletedSuccessfully && published.Result == RefreshNotice.Failed))
            {
                return AccessTokenResult.Unavailable;
            }

            await Task.WhenAny(published, Task.Delay(FallbackReread));
        }
    }

    private async Task<AccessTokenResult?> FreshFromStoreAsync(TokenTarget target)
    {
        var stored = await store.GetAsync(target.Id);
        if (stored is null || stored.ExpiresAt - _tokens.RefreshBeforeExpiry <= time.GetUtcNow())
        {
            return null;
        }

        _copies[target.Id] = stored;
        return AccessTokenResult.From(stored);
    }

    private async Task<AccessTokenResult> RequestAsync(TokenTarget target)
    {
        if (!breaker.TryPass(out var retryAfter))
        {
            metrics.RefreshHeldBack("circuit_open");
            return AccessTokenResult.HeldBack(retryAfter);
        }

        var started = time.GetTimestamp();
        var result = TokenRefreshResult.Failure("the call did not complete");
        try
        {
            using var limit = new CancellationTokenSource(_tokens.IdpTimeout, time);
            result = await tokenEndpoint.RequestClientTokenAsync(target, limit.Token);
        }
        catch (OperationCanceledException)
        {
            result = TokenRefreshResult.Failure($"no answer within Bff:Tokens:IdpTimeout ({_tokens.IdpTimeout})");
        }
        finally
        {
            breaker.Report(failed: result.Outcome == TokenRefreshOutcome.Failed);
        }

        metrics.Refreshed(TelemetryTags.Of(result.Outcome), TelemetryTags.Of(RefreshTrigger.Client), time.GetElapsedTime(started));
        if (result.Outcome != TokenRefreshOutcome.Succeeded)
        {
            // A rejected or refused client (invalid_client, invalid_target): a configuration error, 502.
            Log.ClientTokenFailed(logger, target.ToString(), result.Detail);
            var backoff = _failures.Failed(target.Id);
            return result.Outcome == TokenRefreshOutcome.Failed ? AccessTokenResult.HeldBack(backoff) : AccessTokenResult.Refused;
        }

        _failures.Succeeded(target.Id);
        var token = new TargetToken(result.Tokens!.AccessToken, result.Tokens.AccessTokenExpiresAt, time.GetUtcNow());
        await store.SetAsync(target.Id, token);
        _copies[target.Id] = token;
        return AccessTokenResult.From(token);
    }
}
