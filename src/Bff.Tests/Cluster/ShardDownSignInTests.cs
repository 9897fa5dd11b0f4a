using System.Net;
using Bff.Redis;
using Bff.Tests.Infrastructure;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace Bff.Tests.Cluster;

/// <summary>
/// One shard of the cluster down, master and replica (the others serving: cluster-require-full-coverage no).
/// A sign-in writes its logout-index entries, its session and its schedule entry, which may be on three shards:
/// each sign-in either succeeds whole (session, schedule entry, a working cookie) or answers 503
/// login_unavailable and leaves no session behind.
/// </summary>
public sealed class ShardDownSignInTests(ClusterFleet fleet, ITestOutputHelper output) : IClassFixture<ClusterFleet>
{
    private const int SignIns = 20;

    [Fact]
    public async Task a_sign_in_while_a_shard_is_down_succeeds_whole_or_fails_cleanly()
    {
        var cluster = fleet.Cluster;
        var keys = fleet.Gateways[0].Services.GetRequiredService<RedisKeys>();
        var prefix = fleet.Configuration["Bff:Redis:KeyPrefix"]!;
        foreach (var node in cluster.Nodes)
        {
            await RedisCluster.ExecuteOnAsync(node, "CONFIG", "SET", "cluster-require-full-coverage", "no");
        }

        // A shard that holds neither the user's logout index nor the data-protection keys (without those, no
        // sign-in can start anywhere: that is an outage, not this case).
        var needed = new[] { await cluster.MasterOfAsync(keys.SubjectIndex(ProviderHost.User)!), await cluster.MasterOfAsync(keys.DataProtectionKeys!) };
        var victim = (await cluster.MastersAsync()).First(m => !needed.Contains(m));
        var replica = await cluster.ReplicaOfAsync(victim);
        await replica.StopAsync();
        await victim.StopAsync();

        var signedIn = new List<BrowserClient>();
        var refused = 0;
        for (var i = 0; i < SignIns; i++)
        {
            var browser = new BrowserClient(fleet.Gateways[i % 2].Address);
            try
            {
                await browser.LoginAsync();
                signedIn.Add(browser);
            }
            catch (InvalidOperationException failure) when (failure.Message.StartsWith("Login stopped at 503", StringComparison.Ordinal))
            {
                Assert.Contains("login_unavailable", failure.Message, StringComparison.Ordinal);
                refused++;
            }
        }

        output.WriteLine($"{signedIn.Count} sign-ins succeeded, {refused} answered 503 login_unavailable");
        Assert.Equal(SignIns, signedIn.Count + refused);
        foreach (var browser in signedIn)
        {
            Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/bff/user")).StatusCode);
            var hash = browser.SessionHash();
            Assert.NotNull(await cluster.Connection.GetDatabase().SortedSetScoreAsync(keys.RefreshScheduleOf(hash), hash));
        }

        // No session without its sign-in: the live shards hold exactly the sessions of the sign-ins that succeeded.
        var stored = new List<string>();
        foreach (var master in await cluster.MastersAsync())
        {
            await foreach (var key in cluster.Connection.GetServer("127.0.0.1", master.Port).KeysAsync(pattern: $"{prefix}*:session"))
            {
                stored.Add(key!);
            }
        }

        Assert.Equal(signedIn.Select(b => (string)keys.Session(b.SessionHash())!).Order(), stored.Order());

        await victim.StartAsync();
        await replica.StartAsync();
        await cluster.WaitUntilHealthyAsync();
    }
}
