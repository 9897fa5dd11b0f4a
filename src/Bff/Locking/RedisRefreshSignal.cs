using Bff.Sessions;
using StackExchange.Redis;

namespace Bff.Locking;

/// <summary>
/// Redis pub/sub on one channel per key prefix: each instance subscribes once and wakes its local waiters
/// for the published session hash. A lost message costs a waiter one fallback re-read, never correctness.
/// </summary>
internal sealed class RedisRefreshSignal : IRefreshSignal
{
    private readonly IConnectionMultiplexer _redis;
    private readonly RedisChannel _channel;
    private readonly LocalRefreshWaiters _waiters;

    public RedisRefreshSignal(IConnectionMultiplexer redis, RedisKeys keys, LocalRefreshWaiters waiters)
    {
        _redis = redis;
        _channel = keys.RefreshChannel;
        _waiters = waiters;
        // Subscribing must not fail start-up while Redis is down; the multiplexer re-subscribes on reconnect.
        _redis.GetSubscriber().SubscribeAsync(_channel, (_, message) =>
        {
            if (!message.IsNullOrEmpty)
            {
                _waiters.Wake(message!);
            }
        }).ContinueWith(static t => _ = t.Exception, TaskContinuationOptions.OnlyOnFaulted);
    }

    public Task Subscribe(string sessionHash) => _waiters.Subscribe(sessionHash);

    public async Task PublishAsync(string sessionHash)
    {
        _waiters.Wake(sessionHash);
        await _redis.GetSubscriber().PublishAsync(_channel, sessionHash);
    }
}
