using Bff.Redis;
using StackExchange.Redis;

namespace Bff.Locking;

/// <summary>
/// Refresh notices over the fleet's <c>refreshed</c> channel (sharded by session on a cluster): each instance
/// listens (see <see cref="RedisSubscriptions"/>) and wakes its local waiters for the published session hash. A
/// lost message costs a waiter one fallback re-read, never correctness.
/// </summary>
internal sealed class RedisRefreshSignal : IRefreshSignal, IRedisSubscription
{
    private readonly LocalRefreshWaiters _waiters;
    private readonly FleetChannel _channel;

    public RedisRefreshSignal(IConnectionMultiplexer redis, RedisKeys keys, LocalRefreshWaiters waiters, ILogger<RedisRefreshSignal> logger)
    {
        _waiters = waiters;
        _channel = new FleetChannel(redis, keys.RefreshChannel, message => Wake(waiters, message), logger);
    }

    public Task<RefreshNotice> Subscribe(string sessionHash) => _waiters.Subscribe(sessionHash);

    public async Task PublishAsync(string sessionHash, RefreshNotice notice)
    {
        _waiters.Wake(sessionHash, notice);
        await _channel.PublishAsync(sessionHash, Encode(sessionHash, notice));
    }

    public Task<bool> CheckAsync() => _channel.CheckAsync();

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
