using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Bff.Locking;
using Bff.Redis;
using Bff.Sessions;
using Bff.Tests.Infrastructure;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace Bff.Tests.Cluster;

/// <summary>
/// A fleet on a real Redis Cluster: the refresh race holds (one provider call, no reuse) and the fleet channels
/// are sharded: a session's notices reach the shard that owns its channel bucket, not every node over the
/// cluster bus, as an ordinary PUBLISH does.
/// </summary>
public sealed partial class ClusterFleetTests(ClusterFleet fleet, ITestOutputHelper output) : IClassFixture<ClusterFleet>
{
    [Fact]
    public async Task two_hundred_concurrent_requests_over_two_instances_at_expiry_make_one_refresh_on_the_cluster()
    {
        var race = await fleet.RaceAtExpiryAsync(requests: 200, providerDelay: TimeSpan.Zero);

        Assert.All(race.Responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(1, race.Refreshes);
        Assert.Equal(0, race.Reuses);
        Assert.Equal(2, (await fleet.Gateways[1].SessionOfAsync(race.Browsers[1])).Version);
    }

    [Fact]
    public async Task a_sessions_notices_are_published_on_its_shard_only_while_an_ordinary_publish_reaches_every_node()
    {
        const int Messages = 200;
        var gateway = fleet.Gateways[0].Services;
        var sessionHash = Guid.NewGuid().ToString("N");
        var keys = gateway.GetRequiredService<RedisKeys>();
        var channel = keys.SessionChangeChannel.Of(sessionHash, sharded: true);
        // Both of a session's channels are in one bucket, so one shard carries all its messages.
        Assert.Equal(fleet.Cluster.Connection.HashSlot(channel.ToString()), fleet.Cluster.Connection.HashSlot(keys.RefreshChannel.Of(sessionHash, sharded: true).ToString()));
        var owner = await fleet.Cluster.MasterOfAsync(channel.ToString());
        var replica = await fleet.Cluster.ReplicaOfAsync(owner);

        var before = await BusMessagesAsync();
        for (var i = 0; i < Messages / 2; i++)
        {
            await gateway.GetRequiredService<ISessionChangeFeed>().PublishAsync(sessionHash);
            await gateway.GetRequiredService<IRefreshSignal>().PublishAsync(sessionHash, RefreshNotice.Changed);
        }

        // The bus delivers asynchronously: read once the replica has them all.
        var sharded = await SettledDeltaAsync(before, d => d[replica].Shard >= Messages);
        before = await BusMessagesAsync();
        for (var i = 0; i < Messages; i++)
        {
            await fleet.Cluster.Connection.GetSubscriber().PublishAsync(RedisChannel.Literal("the-old-layout"), sessionHash);
        }

        // Each PUBLISH goes to one node, which sends it to each of the other five over the bus.
        var broadcast = await SettledDeltaAsync(before, d => d.Values.Sum(c => c.Publish) >= Messages * 5);
        output.WriteLine($"{Messages} notices of one session, cluster-bus messages received per node (publish / publishshard):");
        foreach (var node in fleet.Cluster.Nodes)
        {
            var role = node == owner ? "owner" : node == replica ? "owner's replica" : "other";
            output.WriteLine($"  {node.Port} ({role}): sharded {sharded[node].Publish} / {sharded[node].Shard}; ordinary PUBLISH {broadcast[node].Publish} / {broadcast[node].Shard}");
        }

        // Sharded: nothing broadcast; the owner's replica gets them over the shard's link, the other nodes only
        // the instances' own probes of other buckets (a few per second).
        Assert.All(fleet.Cluster.Nodes, node => Assert.Equal(0, sharded[node].Publish));
        Assert.All(fleet.Cluster.Nodes.Where(n => n != owner && n != replica), node => Assert.InRange(sharded[node].Shard, 0, Messages / 4));
        Assert.Equal(Messages * 5, broadcast.Values.Sum(c => c.Publish));
    }

    /// <summary>The counters' growth since <paramref name="before"/>, once <paramref name="settled"/> holds for it.</summary>
    private async Task<Dictionary<RedisServer, (long Publish, long Shard)>> SettledDeltaAsync(
        Dictionary<RedisServer, (long Publish, long Shard)> before, Func<Dictionary<RedisServer, (long Publish, long Shard)>, bool> settled)
    {
        Dictionary<RedisServer, (long Publish, long Shard)> delta = [];
        await Eventually.HoldsAsync(async () =>
        {
            var after = await BusMessagesAsync();
            delta = after.ToDictionary(p => p.Key, p => (p.Value.Publish - before[p.Key].Publish, p.Value.Shard - before[p.Key].Shard));
            return settled(delta);
        }, "the cluster bus to deliver", TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(50));
        return delta;
    }

    /// <summary>Per node, the pub/sub messages it received over the cluster bus (CLUSTER INFO).</summary>
    private async Task<Dictionary<RedisServer, (long Publish, long Shard)>> BusMessagesAsync()
    {
        var counts = new Dictionary<RedisServer, (long, long)>();
        foreach (var node in fleet.Cluster.Nodes)
        {
            var info = await RedisCluster.ExecuteOnAsync(node, "CLUSTER", "INFO");
            counts[node] = (Counter(info, "cluster_stats_messages_publish_received"), Counter(info, "cluster_stats_messages_publishshard_received"));
        }

        return counts;
    }

    private static long Counter(string info, string name) =>
        CounterLine().Matches(info).FirstOrDefault(m => m.Groups[1].Value == name) is { } match
            ? long.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture)
            : 0;

    [GeneratedRegex(@"^(\w+):(\d+)", RegexOptions.Multiline)]
    private static partial Regex CounterLine();
}
