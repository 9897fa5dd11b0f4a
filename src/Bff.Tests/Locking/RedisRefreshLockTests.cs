using Bff.Locking;
using Bff.Redis;
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

    /// <summary>
    /// A WATCH transaction (StackExchange.Redis' LockRelease/LockExtend) holds the connection's writer and a thread
    /// until the condition's reply is back: under a refresh storm that stalled the whole instance.
    /// </summary>
    [Fact]
    public async Task taking_extending_and_releasing_a_lease_never_holds_the_connection_for_a_condition()
    {
        var server = _redis.Connection.GetServer(_redis.Connection.GetEndPoints()[0]);
        await server.ConfigResetStatisticsAsync();
        var hash = Guid.NewGuid().ToString("N");

        await using (var lease = await Lock.TryAcquireAsync(hash, Lease, CancellationToken.None))
        {
            Assert.True(await lease!.ExtendAsync(Lease));
        }

        var commands = await server.InfoRawAsync("commandstats") ?? "";
        Assert.Contains("cmdstat_eval", commands, StringComparison.Ordinal);
        Assert.DoesNotContain("cmdstat_watch", commands, StringComparison.Ordinal);
        Assert.DoesNotContain("cmdstat_multi", commands, StringComparison.Ordinal);
        Assert.False(await _redis.Connection.GetDatabase().KeyExistsAsync(_keys.RefreshLock(hash)));
    }
}
