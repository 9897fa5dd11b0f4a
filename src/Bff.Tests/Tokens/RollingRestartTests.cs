using System.Net;
using Bff.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Bff.Tests.Tokens;

/// <summary>
/// A rolling deploy under load: two gateway processes share Redis; each is stopped with SIGTERM and replaced
/// in turn while a client keeps calling through whichever instances are up, retrying on another instance for
/// a bounded window as a load balancer would. No request fails past that window, no session is lost, and the
/// strict provider sees no refresh-token reuse.
/// </summary>
public sealed class RollingRestartTests(RedisServer redis, ProviderHost provider, ITestOutputHelper output) : IClassFixture<RedisServer>, IClassFixture<ProviderHost>
{
    private const int Sessions = 10;

    [Fact]
    public async Task a_rolling_restart_under_load_fails_no_request_and_loses_no_session()
    {
        var configuration = GatewayHost.ConfigurationFor(provider, redis.Configuration);
        // Tokens live 5 minutes; refreshing 10 s after issue gives several rotations during the test.
        configuration["Bff:Tokens:RefreshBeforeExpiry"] = "00:04:50";
        configuration["Bff:Sweeper:Enabled"] = "true";
        configuration["Bff:Sweeper:Interval"] = "00:00:01";
        var live = new List<GatewayProcess>
        {
            await GatewayProcess.StartAsync(provider, configuration),
            await GatewayProcess.StartAsync(provider, configuration),
        };
        var cookies = new List<string>();
        for (var i = 0; i < Sessions; i++)
        {
            using var browser = new BrowserClient(live[i % 2].Address);
            await browser.LoginAsync();
            cookies.Add(browser.GatewayCookie("__Host-bff")!.Value);
        }

        var reuses = provider.TokenLog.Reuses;
        var refreshes = provider.TokenLog.RefreshRequests;
        var outcomes = new System.Collections.Concurrent.ConcurrentBag<HttpStatusCode?>();
        using var client = new LoadBalancedClient(live);
        using var stop = new CancellationTokenSource();
        var load = Task.WhenAll(Enumerable.Range(0, 4).Select(worker => Task.Run(async () =>
        {
            for (var n = worker; !stop.IsCancellationRequested; n += 4)
            {
                outcomes.Add((await client.GetAsync("/api/whoami", cookies[n % Sessions], n)).Status);
            }
        })));

        for (var i = 0; i < 2; i++)
        {
            await Task.Delay(TimeSpan.FromSeconds(4));
            await client.ReplaceAsync(client.Snapshot()[0], () => GatewayProcess.StartAsync(provider, configuration));
        }

        await Task.Delay(TimeSpan.FromSeconds(12));
        await stop.CancelAsync();
        await load;

        output.WriteLine($"requests {outcomes.Count}, refreshes {provider.TokenLog.RefreshRequests - refreshes}, reuses {provider.TokenLog.Reuses - reuses}, " +
            $"non-200 {outcomes.Count(o => o != HttpStatusCode.OK)}");
        Assert.True(outcomes.Count > 200, $"only {outcomes.Count} requests were made");
        Assert.All(outcomes, status => Assert.Equal(HttpStatusCode.OK, status));
        Assert.True(provider.TokenLog.RefreshRequests - refreshes >= Sessions, "the test saw too few refreshes to mean anything");
        Assert.Equal(reuses, provider.TokenLog.Reuses);
        foreach (var gateway in client.Snapshot())
        {
            await gateway.DisposeAsync();
        }
    }
}
