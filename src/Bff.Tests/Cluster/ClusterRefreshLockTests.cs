using Bff.Locking;
using Bff.Redis;
using Bff.Tests.Infrastructure;
using Bff.Tests.Locking;
using Bff.Tests.Sessions;
using Microsoft.Extensions.Options;

namespace Bff.Tests.Cluster;

/// <summary>The refresh lock contract on a real Redis Cluster.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterRefreshLockTests : RefreshLockContract
{
    private readonly RedisCluster _cluster;
    private readonly RedisKeys _keys;

    public ClusterRefreshLockTests(RedisCluster cluster)
    {
        _cluster = cluster;
        _keys = new RedisKeys(Options.Create(StoreOptions.With(TimeSpan.FromHours(1), TimeSpan.FromHours(8), $"bff-test-{Guid.NewGuid():N}:")));
        Lock = new RedisRefreshLock(cluster.Connection, _keys);
    }

    private protected override IRefreshLock Lock { get; }

    protected override Task LetLeaseLapseAsync(string sessionHash) =>
        _cluster.Connection.GetDatabase().KeyDeleteAsync(_keys.RefreshLock(sessionHash));
}
