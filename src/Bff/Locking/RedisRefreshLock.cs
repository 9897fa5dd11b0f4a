using Bff.Redis;
using StackExchange.Redis;

namespace Bff.Locking;

/// <summary>
/// <c>SET key owner NX PX lease</c>, one lock key per session, hash-tagged beside the session key; release and
/// extension check the owner inside one Lua script each. Not StackExchange.Redis' LockRelease/LockExtend: those
/// are WATCH transactions, and a transaction with a condition holds the connection's writer, and a thread,
/// until the condition's reply is back. In a refresh storm every lock release did that, stalling every Redis
/// command of the instance behind it and starving the thread pool (bench/RESULTS.md, refresh storm).
/// </summary>
internal sealed class RedisRefreshLock(IConnectionMultiplexer redis, RedisKeys keys) : IRefreshLock
{
    private static readonly LuaScript ReleaseIfOwner = LuaScript.Prepare("""
        if redis.call('GET', @key) == @owner then return redis.call('DEL', @key) end
        return 0
        """);

    private static readonly LuaScript ExtendIfOwner = LuaScript.Prepare("""
        if redis.call('GET', @key) == @owner then return redis.call('PEXPIRE', @key, @lease) end
        return 0
        """);

    public async Task<IRefreshLease?> TryAcquireAsync(string sessionHash, TimeSpan lease, CancellationToken cancellationToken)
    {
        var key = keys.RefreshLock(sessionHash);
        var owner = Guid.NewGuid().ToString("N");
        return await redis.GetDatabase().LockTakeAsync(key, owner, lease) ? new Lease(redis, key, owner) : null;
    }

    private sealed class Lease(IConnectionMultiplexer redis, RedisKey key, RedisValue owner) : IRefreshLease
    {
        public async Task<bool> ExtendAsync(TimeSpan lease) =>
            (long)await redis.GetDatabase().ScriptEvaluateAsync(ExtendIfOwner, new { key, owner, lease = (long)lease.TotalMilliseconds }) == 1;

        public async ValueTask DisposeAsync()
        {
            try
            {
                await redis.GetDatabase().ScriptEvaluateAsync(ReleaseIfOwner, new { key, owner });
            }
            catch (Exception exception) when (exception is RedisException or TimeoutException)
            {
                // The lease expires by itself; a failed release only delays the next refresh by its remainder.
            }
        }
    }
}
