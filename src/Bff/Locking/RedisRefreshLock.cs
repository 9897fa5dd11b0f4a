using Bff.Sessions;
using StackExchange.Redis;

namespace Bff.Locking;

/// <summary>
/// <c>SET key owner NX PX lease</c> with owner-checked release and extension (StackExchange.Redis'
/// LockTake/LockRelease/LockExtend), one lock key per session, hash-tagged beside the session key.
/// </summary>
internal sealed class RedisRefreshLock(IConnectionMultiplexer redis, RedisKeys keys) : IRefreshLock
{
    public async Task<IRefreshLease?> TryAcquireAsync(string sessionHash, TimeSpan lease, CancellationToken cancellationToken)
    {
        var key = keys.RefreshLock(sessionHash);
        var owner = Guid.NewGuid().ToString("N");
        return await redis.GetDatabase().LockTakeAsync(key, owner, lease) ? new Lease(redis, key, owner) : null;
    }

    private sealed class Lease(IConnectionMultiplexer redis, RedisKey key, RedisValue owner) : IRefreshLease
    {
        public Task<bool> ExtendAsync(TimeSpan lease) => redis.GetDatabase().LockExtendAsync(key, owner, lease);

        public async ValueTask DisposeAsync()
        {
            try
            {
                await redis.GetDatabase().LockReleaseAsync(key, owner);
            }
            catch (Exception exception) when (exception is RedisException or TimeoutException)
            {
                // The lease expires by itself; a failed release only delays the next refresh by its remainder.
            }
        }
    }
}
