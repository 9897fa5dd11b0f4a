using System.Collections.Concurrent;
using System.Net;
using Bff.Redis;
using Bff.Sessions;
using Bff.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Bff.Tests.Cluster;

/// <summary>
/// A cluster master fails over while two instances serve eight sessions without pause: requests to the moving
/// shard fail fast with 503, never 401; afterwards every session is intact (its writes had reached the replica),
/// every instance's session cache serves again and hears evictions again (its sharded subscriptions are renewed
/// on whichever node now serves their slots). Once as an operator does it (CLUSTER FAILOVER), once as a crash
/// does (the master killed, then started again: it rejoins as a replica).
/// </summary>
public sealed class ClusterFailoverTests(ClusterFleet fleet, ITestOutputHelper output) : IClassFixture<ClusterFleet>
{
    private const int Sessions = 8;

    [Fact]
    public async Task a_manual_failover_under_load_costs_503s_never_401s_and_no_session()
    {
        var sessions = await SignInAsync();
        var victim = await fleet.Cluster.MasterOfAsync(SessionKeyOf(sessions[0]));
        await fleet.Cluster.WaitForReplicationAsync();

        var statuses = await UnderLoadAsync(sessions, () => fleet.Cluster.FailOverAsync(victim));

        await AssertRecoveredAsync(sessions, statuses);
    }

    [Fact]
    public async Task a_killed_master_costs_503s_never_401s_and_no_session_and_the_cache_serves_again_after_it_rejoins()
    {
        var sessions = await SignInAsync();
        var victim = await fleet.Cluster.MasterOfAsync(SessionKeyOf(sessions[0]));
        await fleet.Cluster.WaitForReplicationAsync();

        var statuses = await UnderLoadAsync(sessions, () => fleet.Cluster.KillAsync(victim));
        await AssertRecoveredAsync(sessions, statuses);

        statuses = await UnderLoadAsync(sessions, () => fleet.Cluster.RestartAsync(victim));
        await AssertRecoveredAsync(sessions, statuses);
    }

    private async Task<List<BrowserClient[]>> SignInAsync()
    {
        var sessions = new List<BrowserClient[]>();
        for (var i = 0; i < Sessions; i++)
        {
            sessions.Add(await fleet.SignInEverywhereAsync());
        }

        return sessions;
    }

    private string SessionKeyOf(BrowserClient[] session) =>
        fleet.Gateways[0].Services.GetRequiredService<RedisKeys>().Session(session[0].SessionHash())!;

    /// <summary>Every session's two browsers call the API in a loop while <paramref name="disruption"/> runs, and a second after.</summary>
    private static async Task<ConcurrentBag<HttpStatusCode>> UnderLoadAsync(List<BrowserClient[]> sessions, Func<Task> disruption)
    {
        var statuses = new ConcurrentBag<HttpStatusCode>();
        using var stop = new CancellationTokenSource();
        var load = sessions.SelectMany(pair => pair).Select(browser => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var response = await browser.GetAsync("/api/whoami");
                statuses.Add(response.StatusCode);
            }
        })).ToArray();

        await disruption();
        stop.CancelAfter(TimeSpan.FromSeconds(1));
        await Task.WhenAll(load);
        return statuses;
    }

    private async Task AssertRecoveredAsync(List<BrowserClient[]> sessions, ConcurrentBag<HttpStatusCode> statuses)
    {
        output.WriteLine(string.Join(", ", statuses.GroupBy(s => s).Select(g => $"{(int)g.Key}: {g.Count()}")));
        Assert.DoesNotContain(HttpStatusCode.Unauthorized, statuses);
        Assert.All(statuses, status => Assert.True(status is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable, $"{(int)status}"));

        // Every session works again on both instances, and each instance's cache is live and keeps copies.
        foreach (var gateway in fleet.Gateways)
        {
            await Eventually.HoldsAsync(() => gateway.Services.GetRequiredService<SessionCache>().IsLive, "the session cache to serve again", TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(100));
        }

        foreach (var pair in sessions)
        {
            for (var instance = 0; instance < 2; instance++)
            {
                var browser = pair[instance];
                await Eventually.HoldsAsync(async () => (await browser.GetAsync("/api/whoami")).StatusCode == HttpStatusCode.OK, "the session to be served", TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(100));
                Assert.True(fleet.Gateways[instance].Services.GetRequiredService<SessionCache>().GetTestAccessor().Holds(browser.SessionHash()));
            }
        }

        // Evictions arrive again: a session ended on one instance is gone from the other's cache, on every shard.
        var ended = sessions[^1];
        sessions.RemoveAt(sessions.Count - 1);
        var logout = new HttpRequestMessage(HttpMethod.Post, "/bff/logout");
        logout.Headers.Add("X-CSRF", "1");
        await ended[0].SendAsync(logout);
        await fleet.Gateways[1].SessionCacheEvictedAsync(ended[1].SessionHash());
        Assert.Equal(HttpStatusCode.Unauthorized, (await ended[1].GetAsync("/api/whoami")).StatusCode);
    }
}
