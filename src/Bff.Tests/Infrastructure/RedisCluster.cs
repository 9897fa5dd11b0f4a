using StackExchange.Redis;

namespace Bff.Tests.Infrastructure;

/// <summary>
/// A real Redis Cluster from Debian's redis-server: three masters and three replicas on free loopback ports,
/// created with <c>redis-cli --cluster create</c> (node timeout 2 s, so a killed master's replica takes over in a
/// few seconds). Tests may fail a master over, kill one and start it again.
/// </summary>
public sealed class RedisCluster : IRedisDeployment
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    public IReadOnlyList<RedisServer> Nodes { get; } = Enumerable.Range(0, 6).Select(_ => new RedisServer { ClusterNode = true }).ToArray();

    public string Configuration => string.Join(",", Nodes.Select(n => $"127.0.0.1:{n.Port}")) + ",abortConnect=false,connectTimeout=2000";

    public ConnectionMultiplexer Connection { get; private set; } = null!;

    IConnectionMultiplexer IRedisDeployment.Connection => Connection;

    public async Task InitializeAsync()
    {
        await Task.WhenAll(Nodes.Select(n => n.InitializeAsync()));
        await Command.RunCheckedAsync("redis-cli", ["--cluster", "create", .. Nodes.Select(n => $"127.0.0.1:{n.Port}"), "--cluster-replicas", "1", "--cluster-yes"]);
        await WaitUntilHealthyAsync();
        var options = ConfigurationOptions.Parse(Configuration);
        options.AllowAdmin = true;
        Connection = await ConnectionMultiplexer.ConnectAsync(options);
    }

    /// <summary>
    /// Until every running node says <c>cluster_state:ok</c> and every master that is running has a replica whose
    /// link is up (so a failover finds one in sync).
    /// </summary>
    public async Task WaitUntilHealthyAsync()
    {
        await Eventually.HoldsAsync(async () =>
        {
            foreach (var node in Nodes.Where(n => n.IsRunning))
            {
                var info = await ExecuteOnAsync(node, "CLUSTER", "INFO");
                if (!info.Contains("cluster_state:ok", StringComparison.Ordinal))
                {
                    return false;
                }

                var replication = await ExecuteOnAsync(node, "INFO", "replication");
                if (replication.Contains("role:slave", StringComparison.Ordinal) && !replication.Contains("master_link_status:up", StringComparison.Ordinal))
                {
                    return false;
                }
            }

            return true;
        }, "a healthy cluster", Patience, TimeSpan.FromMilliseconds(200));
    }

    /// <summary>Until every running master's replicas have acknowledged all it has written (asynchronous replication caught up).</summary>
    public async Task WaitForReplicationAsync()
    {
        await Eventually.HoldsAsync(async () =>
        {
            foreach (var master in await MastersAsync())
            {
                var info = await ExecuteOnAsync(master, "INFO", "replication");
                var offset = ReplicationField(info, "master_repl_offset");
                if (!info.Split('\n').Where(l => l.StartsWith("slave", StringComparison.Ordinal) && l.Contains("offset=", StringComparison.Ordinal))
                        .All(l => l.Contains($"offset={offset},", StringComparison.Ordinal)))
                {
                    return false;
                }
            }

            return true;
        }, "the replicas to catch up", Patience, TimeSpan.FromMilliseconds(50));
    }

    private static string ReplicationField(string info, string name) =>
        info.Split('\n').Select(l => l.Trim()).First(l => l.StartsWith(name + ":", StringComparison.Ordinal))[(name.Length + 1)..];

    /// <summary>The running masters, by the nodes' own ROLE.</summary>
    public async Task<IReadOnlyList<RedisServer>> MastersAsync()
    {
        var masters = new List<RedisServer>();
        foreach (var node in Nodes.Where(n => n.IsRunning))
        {
            if ((await ExecuteOnAsync(node, "ROLE")).StartsWith("master", StringComparison.Ordinal))
            {
                masters.Add(node);
            }
        }

        return masters;
    }

    /// <summary>The running node that serves the hash slot of <paramref name="slotOf"/> (a key or a channel name) as master.</summary>
    public async Task<RedisServer> MasterOfAsync(string slotOf)
    {
        var slot = Connection.HashSlot(slotOf);
        foreach (var master in await MastersAsync())
        {
            var myself = (await ExecuteOnAsync(master, "CLUSTER", "NODES")).Split('\n').Single(l => l.Contains("myself", StringComparison.Ordinal));
            if (myself.Split(' ').Skip(8).Any(range => Covers(range, slot)))
            {
                return master;
            }
        }

        throw new InvalidOperationException($"No running master serves slot {slot}.");
    }

    /// <summary>The running replica of <paramref name="master"/>.</summary>
    public async Task<RedisServer> ReplicaOfAsync(RedisServer master)
    {
        foreach (var node in Nodes.Where(n => n.IsRunning && n != master))
        {
            if ((await ExecuteOnAsync(node, "INFO", "replication")).Contains($"master_port:{master.Port}", StringComparison.Ordinal))
            {
                return node;
            }
        }

        throw new InvalidOperationException($"Master {master.Port} has no running replica.");
    }

    /// <summary>A manual failover, as an operator does: the master's replica takes over with its data in sync.</summary>
    public async Task FailOverAsync(RedisServer master)
    {
        var replica = await ReplicaOfAsync(master);
        await ExecuteOnAsync(replica, "CLUSTER", "FAILOVER");
        await Eventually.HoldsAsync(async () => (await ExecuteOnAsync(replica, "ROLE")).StartsWith("master", StringComparison.Ordinal),
            "the replica to take over", Patience, TimeSpan.FromMilliseconds(100));
        await WaitUntilHealthyAsync();
    }

    /// <summary>Kills a master (SIGKILL) and waits until its replica has taken over and the cluster is ok.</summary>
    public async Task KillAsync(RedisServer master)
    {
        var replica = await ReplicaOfAsync(master);
        await master.StopAsync();
        await Eventually.HoldsAsync(async () => (await ExecuteOnAsync(replica, "ROLE")).StartsWith("master", StringComparison.Ordinal),
            "the replica of the killed master to take over", Patience, TimeSpan.FromMilliseconds(100));
        await WaitUntilHealthyAsync();
    }

    /// <summary>Starts a killed node again: it rejoins (as a replica of the master that replaced it).</summary>
    public async Task RestartAsync(RedisServer node)
    {
        await node.StartAsync();
        await WaitUntilHealthyAsync();
    }

    public async Task<IReadOnlyList<string>> DumpAsync()
    {
        var dump = new List<string>();
        if (Connection is null)
        {
            // The cluster never formed: nothing was written to it.
            return dump;
        }

        foreach (var master in await MastersAsync())
        {
            dump.AddRange(await RedisServer.DumpAsync(Connection, master.Port));
        }

        return dump;
    }

    public async Task DisposeAsync()
    {
        if (Connection is not null)
        {
            await Connection.DisposeAsync();
        }

        await Task.WhenAll(Nodes.Select(n => n.DisposeAsync()));
    }

    /// <summary>A command on one node through redis-cli, its reply as text (empty when the node does not answer).</summary>
    public static async Task<string> ExecuteOnAsync(RedisServer node, params string[] command) =>
        (await Command.RunAsync("redis-cli", ["-p", node.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), .. command])).Output;

    private static bool Covers(string range, int slot)
    {
        if (range.StartsWith('['))
        {
            return false;
        }

        var bounds = range.Split('-');
        return bounds.Length == 1
            ? int.Parse(bounds[0], System.Globalization.CultureInfo.InvariantCulture) == slot
            : slot >= int.Parse(bounds[0], System.Globalization.CultureInfo.InvariantCulture) && slot <= int.Parse(bounds[1], System.Globalization.CultureInfo.InvariantCulture);
    }
}
