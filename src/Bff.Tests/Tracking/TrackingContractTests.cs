using Bff.Redis;
using Bff.Tests.Cluster;
using Bff.Tests.Infrastructure;
using Bff.Tests.Sessions;
using Bff.Tracking;
using Microsoft.Extensions.Options;

namespace Bff.Tests.Tracking;

/// <summary>The schedule and replay-guard contracts in process, on one redis-server and on a Redis Cluster.</summary>
public static class TrackingContractTests
{
    public sealed class InMemorySchedule : RefreshScheduleContract
    {
        private readonly InMemoryRefreshSchedule _schedule = new();

        private protected override IRefreshSchedule Schedule => _schedule;

        private protected override IRefreshSchedule OtherInstance => _schedule;
    }

    public sealed class RedisSchedule(RedisServer redis) : RefreshScheduleContract, IClassFixture<RedisServer>
    {
        private readonly RedisKeys _keys = NewKeys();

        private protected override IRefreshSchedule Schedule => field ??= new RedisRefreshSchedule(redis.Connection, _keys);

        private protected override IRefreshSchedule OtherInstance => field ??= new RedisRefreshSchedule(redis.Connection, _keys);
    }

    [Collection(ClusterCollection.Name)]
    public sealed class ClusterSchedule(RedisCluster cluster) : RefreshScheduleContract
    {
        private readonly RedisKeys _keys = NewKeys();

        private protected override IRefreshSchedule Schedule => field ??= new RedisRefreshSchedule(cluster.Connection, _keys);

        private protected override IRefreshSchedule OtherInstance => field ??= new RedisRefreshSchedule(cluster.Connection, _keys);

        [Fact]
        public async Task the_buckets_spread_over_every_master()
        {
            var owners = new HashSet<int>();
            foreach (var bucket in _keys.RefreshSchedule)
            {
                owners.Add((await cluster.MasterOfAsync(bucket!)).Port);
            }

            Assert.Equal((await cluster.MastersAsync()).Count, owners.Count);
        }
    }

    public sealed class InMemoryGuard : ReplayGuardContract
    {
        private readonly InMemoryReplayGuard _guard;

        public InMemoryGuard() => _guard = new InMemoryReplayGuard(Clock);

        private protected override IReplayGuard Guard => _guard;

        private protected override IReplayGuard OtherInstance => _guard;
    }

    public sealed class RedisGuard(RedisServer redis) : ReplayGuardContract, IClassFixture<RedisServer>
    {
        private readonly RedisKeys _keys = NewKeys();

        private protected override IReplayGuard Guard => field ??= new RedisReplayGuard(redis.Connection, _keys, Clock);

        private protected override IReplayGuard OtherInstance => field ??= new RedisReplayGuard(redis.Connection, _keys, Clock);
    }

    [Collection(ClusterCollection.Name)]
    public sealed class ClusterGuard(RedisCluster cluster) : ReplayGuardContract
    {
        private readonly RedisKeys _keys = NewKeys();

        private protected override IReplayGuard Guard => field ??= new RedisReplayGuard(cluster.Connection, _keys, Clock);

        private protected override IReplayGuard OtherInstance => field ??= new RedisReplayGuard(cluster.Connection, _keys, Clock);
    }

    private static RedisKeys NewKeys() =>
        new(Options.Create(StoreOptions.With(TimeSpan.FromHours(1), TimeSpan.FromHours(8), $"bff-test-{Guid.NewGuid():N}:")));
}
