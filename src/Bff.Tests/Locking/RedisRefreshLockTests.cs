using Bff.Locking;
using Bff.Sessions;
using Bff.Tests.Infrastructure;
using Bff.Tests.Sessions;
using Microsoft.Extensions.Options;

namespace Bff.Tests.Locking;

public sealed class RedisRefreshLockTests : RefreshLockContract, IClassFixture<RedisServer>
{
    private readonly RedisServer _redis;
    private readonly RedisKeys _keys;

    public RedisRefreshLockTests(RedisServer redis)
    {
        _redis = redis;
        _keys = new RedisKeys(Options.Create(StoreOptions.With(TimeSpan.FromHours(1), TimeSpan.FromHours(8), $"bff-test-{Guid.NewGuid():N}:")));
        Lock = new RedisRefreshLock(redis.Connection, _keys);
    }

    private protected override IRefreshLock Lock { get; }

    /// <summary>Redis expires the key on its own clock; deleting it is what that expiry does, without a 15-second wait.</summary>
    protected override Task LetLeaseLapseAsync(string sessionHash) =>
        _redis.Connection.GetDatabase().KeyDeleteAsync(_keys.RefreshLock(sessionHash));

    [Fact]
    public async Task the_lock_key_carries_the_lease_as_its_ttl()
    {
        var hash = Guid.NewGuid().ToString("N");

        await using var lease = await Lock.TryAcquireAsync(hash, Lease, CancellationToken.None);

        var ttl = await _redis.Connection.GetDatabase().KeyTimeToLiveAsync(_keys.RefreshLock(hash));
        Assert.NotNull(ttl);
        Assert.InRange(ttl.Value, Lease - TimeSpan.FromSeconds(2), Lease);
    }
}
