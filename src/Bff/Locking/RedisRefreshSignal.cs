using Bff.Diagnostics;
using Bff.Hosting;
using Bff.Sessions;
using StackExchange.Redis;

namespace Bff.Locking;

/// <summary>
/// Redis pub/sub on one channel per key prefix: each instance subscribes once (at start-up, see
/// <see cref="RedisSubscriptions"/>) and wakes its local waiters for the published session hash. A lost
/// message costs a waiter one fallback re-read, never correctness.
/// </summary>
internal sealed class RedisRefreshSignal(IConnectionMultiplexer redis, RedisKeys keys, LocalRefreshWaiters waiters, ILogger<RedisRefreshSignal> logger)
    : IRefreshSignal, IRedisSubscription
{
    private readonly RedisChannel _channel = keys.RefreshChannel;
    private int _subscribed;

    public bool IsSubscribed => Volatile.Read(ref _subscribed) == 1;

    public Task<RefreshNotice> Subscribe(string sessionHash) => waiters.Subscribe(sessionHash);

    public async Task PublishAsync(string sessionHash, RefreshNotice notice)
    {
        waiters.Wake(sessionHash, notice);
        await redis.GetSubscriber().PublishAsync(_channel, Encode(sessionHash, notice));
    }

    // Message: one notice letter, then the session hash ("c…" changed, "f…" failed).
    private static string Encode(string sessionHash, RefreshNotice notice) =>
        (notice == RefreshNotice.Failed ? "f" : "c") + sessionHash;

    private void OnMessage(string message)
    {
        if (message.Length > 1)
        {
            waiters.Wake(message[1..], message[0] == 'f' ? RefreshNotice.Failed : RefreshNotice.Changed);
        }
    }

    /// <summary>Subscribes this instance to the channel; the multiplexer restores it after reconnects.</summary>
    public async Task<bool> TrySubscribeAsync()
    {
        if (IsSubscribed)
        {
            return true;
        }

        try
        {
            await redis.GetSubscriber().SubscribeAsync(_channel, (_, message) => OnMessage(message.ToString()));
            Volatile.Write(ref _subscribed, 1);
            return true;
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            Log.SubscriptionFailed(logger, exception.GetType().Name);
            return false;
        }
    }
}
