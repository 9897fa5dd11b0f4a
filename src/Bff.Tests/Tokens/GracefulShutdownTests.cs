using System.Net;
using Bff.Sessions;
using Bff.Tests.Infrastructure;

namespace Bff.Tests.Tokens;

/// <summary>
/// DESIGN invariant 7, at process level: SIGTERM while refreshes are in flight at a slow provider; the
/// instance finishes and stores them before it exits, so another instance continues every session with the
/// rotated tokens and the strict provider never sees a spent token again.
/// </summary>
public sealed class GracefulShutdownTests(RedisServer redis, ProviderHost provider) : IClassFixture<RedisServer>, IClassFixture<ProviderHost>
{
    [Fact]
    public async Task sigterm_during_refreshes_whose_browsers_left_loses_none_of_them()
    {
        const int Sessions = 10;
        var configuration = GatewayHost.ConfigurationFor(provider, redis.Configuration);
        var processConfiguration = new Dictionary<string, string?>(configuration)
        {
            // Every request refreshes: the provider's 5-minute tokens are always inside this window.
            ["Bff:Tokens:RefreshBeforeExpiry"] = "00:10:00",
        };
        var browsers = new List<BrowserClient>();
        await using (var gateway = await GatewayProcess.StartAsync(provider, processConfiguration))
        {
            for (var i = 0; i < Sessions; i++)
            {
                var browser = new BrowserClient(gateway.Address);
                await browser.LoginAsync();
                browsers.Add(browser);
            }

            var refreshes = provider.TokenLog.RefreshRequests;
            provider.Settings.RefreshDelay = TimeSpan.FromSeconds(2);
            using var disconnect = new CancellationTokenSource();
            var inFlight = browsers.Select(b => b.GetAsync("/api/whoami", cancellationToken: disconnect.Token)).ToArray();
            await WaitUntilAsync(() => provider.TokenLog.RefreshRequests >= refreshes + Sessions);

            // The browsers go away: nothing but the gateway itself now waits for those refreshes.
            await disconnect.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Task.WhenAll(inFlight));
            Assert.Equal(0, await gateway.TerminateAsync(TimeSpan.FromSeconds(60)));
            provider.Settings.RefreshDelay = TimeSpan.Zero;
        }

        var reuses = provider.TokenLog.Reuses;
        await using var survivor = await GatewayHost.StartAsync(provider, configuration);
        foreach (var browser in browsers)
        {
            var key = browser.SessionKeyOf();
            Assert.Equal(2, (await survivor.Services.GetRequiredService<ISessionStore>().GetAsync(key, CancellationToken.None))!.Version);
            using var continuing = new BrowserClient(survivor.Address);
            continuing.SetGatewayCookie("__Host-bff", key.Id);
            Assert.Equal(HttpStatusCode.OK, (await continuing.GetAsync("/api/whoami")).StatusCode);
            browser.Dispose();
        }

        Assert.Equal(reuses, provider.TokenLog.Reuses);
    }

    /// <summary>Waits for an event the provider reports (its request counter), bounded.</summary>
    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the refreshes never reached the provider");
            await Task.Delay(20);
        }
    }
}
