using Bff.Redis;
using StackExchange.Redis;

namespace Bff.Tracking;

/// <summary>The fleet's replay guard: <c>SET key 1 NX</c> with the value's remaining lifetime as TTL.</summary>
internal sealed class RedisReplayGuard(IConnectionMultiplexer redis, RedisKeys keys, TimeProvider time) : IReplayGuard
{
    public Task<bool> TryUseAsync(string value, DateTimeOffset expiresAt)
    {
        var ttl = expiresAt - time.GetUtcNow();
        return redis.GetDatabase().StringSetAsync(keys.Replay(value), 1, ttl > TimeSpan.FromSeconds(1) ? ttl : TimeSpan.FromSeconds(1), When.NotExists);
    }
}
