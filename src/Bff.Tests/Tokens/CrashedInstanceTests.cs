using System.Net;
using Bff.Tests.Infrastructure;

namespace Bff.Tests.Tokens;

/// <summary>
/// An instance is SIGKILLed while it holds refresh locks and its refreshes are in flight at the provider: the
/// provider rotates tokens nobody will store. A surviving instance waits out the dead holder's lease and
/// presents the old token again at once, the one re-presentation DESIGN invariant 1 allows. A provider with a
/// reuse grace window answers with current tokens; the zero-grace provider revokes those sessions.
/// </summary>
public static class CrashedInstanceTests
{
    public const int Sessions = 5;

    public sealed class GraceProvider : ProviderHost
    {
        public GraceProvider() => Settings.RefreshTokenReuseLeeway = TimeSpan.FromSeconds(30);
    }

    public sealed class WithGraceWindow(RedisServer redis, GraceProvider provider) : IClassFixture<RedisServer>, IClassFixture<GraceProvider>
    {
        [Fact]
        public async Task sessions_whose_refresh_died_with_the_instance_recover_inside_the_grace_window()
        {
            var (survivorStatuses, reuses) = await CrashDuringRefreshesAsync(redis, provider);

            Assert.All(survivorStatuses, status => Assert.Equal(HttpStatusCode.OK, status));
            Assert.Equal(Sessions, reuses);
        }
    }

    public sealed class WithZeroGrace(RedisServer redis, ProviderHost provider) : IClassFixture<RedisServer>, IClassFixture<ProviderHost>
    {
        [Fact]
        public async Task sessions_whose_refresh_died_with_the_instance_are_lost_with_a_zero_grace_provider()
        {
            var (survivorStatuses, reuses) = await CrashDuringRefreshesAsync(redis, provider);

            // Reported in the README: every session whose refresh was in flight is lost, and only those.
            Assert.All(survivorStatuses, status => Assert.Equal(HttpStatusCode.Unauthorized, status));
            Assert.Equal(Sessions, reuses);
        }
    }

    private static async Task<(HttpStatusCode[] SurvivorStatuses, int Reuses)> CrashDuringRefreshesAsync(RedisServer redis, ProviderHost provider)
    {
        var configuration = GatewayHost.ConfigurationFor(provider, redis.Configuration);
        // Every request refreshes: the provider's 5-minute tokens are always inside this window.
        configuration["Bff:Tokens:RefreshBeforeExpiry"] = "00:10:00";
        var cookies = new List<string>();
        var reuses = provider.TokenLog.Reuses;
        await using (var doomed = await GatewayProcess.StartAsync(provider, configuration))
        {
            for (var i = 0; i < Sessions; i++)
            {
                using var browser = new BrowserClient(doomed.Address);
                await browser.LoginAsync();
                cookies.Add(browser.GatewayCookie("__Host-bff")!.Value);
            }

            var refreshes = provider.TokenLog.RefreshRequests;
            provider.Settings.RefreshDelay = TimeSpan.FromSeconds(2);
            var inFlight = cookies.Select(cookie =>
            {
                var browser = new BrowserClient(doomed.Address);
                browser.SetGatewayCookie("__Host-bff", cookie);
                return browser.GetAsync("/api/whoami");
            }).ToArray();
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (provider.TokenLog.RefreshRequests < refreshes + Sessions)
            {
                Assert.True(DateTime.UtcNow < deadline, "the refreshes never reached the provider");
                await Task.Delay(20);
            }

            await doomed.KillAsync();
            await Assert.ThrowsAnyAsync<Exception>(() => Task.WhenAll(inFlight));
            provider.Settings.RefreshDelay = TimeSpan.Zero;
        }

        await using var survivor = await GatewayHost.StartAsync(provider, configuration);
        var statuses = await Task.WhenAll(cookies.Select(async cookie =>
        {
            using var browser = new BrowserClient(survivor.Address);
            browser.SetGatewayCookie("__Host-bff", cookie);
            return (await browser.GetAsync("/api/whoami")).StatusCode;
        }));
        return (statuses, provider.TokenLog.Reuses - reuses);
    }
}
