using Bff.Diagnostics;
using Bff.Redis;
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
    private readonly ChannelSubscription _subscription = new(redis, keys.RefreshChannel, message => Wake(waiters, message.ToString()));

    public Task<RefreshNotice> Subscribe(string sessionHash) => waiters.Subscribe(sessionHash);

    public async Task PublishAsync(string sessionHash, RefreshNotice notice)
    {
        waiters.Wake(sessionHash, notice);
        await redis.GetSubscriber().PublishAsync(_subscription.Channel, Encode(sessionHash, notice));
    }

    /// <summary>Subscribes this instance to the channel; the multiplexer restores it after reconnects.</summary>
    public Task<bool> TrySubscribeAsync() =>
        _subscription.TrySubscribeAsync(onSubscribed: static () => { }, onFailed: error => Log.SubscriptionFailed(logger, error));

    // Message: one notice letter, then the session hash ("c…" changed, "f…" failed).
    private static string Encode(string sessionHash, RefreshNotice notice) =>
        (notice == RefreshNotice.Failed ? "f" : "c") + sessionHash;

    private static void Wake(LocalRefreshWaiters waiters, string message)
    {
        if (message.Length > 1)
        {
            waiters.Wake(message[1..], message[0] == 'f' ? RefreshNotice.Failed : RefreshNotice.Changed);
        }
    }
}
