using System.Net;
using Bff.Redis;
using Bff.Tests.Infrastructure;
using Bff.Tokens;

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

    /// <summary>Sessions signed in on the doomed instance with no refresh in flight when it dies: the control group.</summary>
    public const int IdleSessions = 3;

    public sealed class GraceProvider : ProviderHost
    {
        public GraceProvider() => Settings.RefreshTokenReuseLeeway = TimeSpan.FromSeconds(30);
    }

    public sealed class WithGraceWindow(RedisServer redis, GraceProvider provider) : IClassFixture<RedisServer>, IClassFixture<GraceProvider>
    {
        [Fact]
        public async Task sessions_whose_refresh_died_with_the_instance_recover_inside_the_grace_window()
        {
            var crash = await CrashDuringRefreshesAsync(redis, provider);

            Assert.All(crash.InFlight, status => Assert.Equal(HttpStatusCode.OK, status));
            Assert.All(crash.Idle, status => Assert.Equal(HttpStatusCode.OK, status));
            Assert.Equal(Sessions, crash.Reuses);
            Assert.Equal(0, crash.CallsWhileDeadLeasesHeld);
        }
    }

    public sealed class WithZeroGrace(RedisServer redis, ProviderHost provider) : IClassFixture<RedisServer>, IClassFixture<ProviderHost>
    {
        [Fact]
        public async Task sessions_whose_refresh_died_with_the_instance_are_lost_with_a_zero_grace_provider()
        {
            var crash = await CrashDuringRefreshesAsync(redis, provider);

            // Reported in the README: every session whose refresh was in flight is lost, and only those.
            Assert.All(crash.InFlight, status => Assert.Equal(HttpStatusCode.Unauthorized, status));
            Assert.All(crash.Idle, status => Assert.Equal(HttpStatusCode.OK, status));
            Assert.Equal(Sessions, crash.Reuses);
            Assert.Equal(0, crash.CallsWhileDeadLeasesHeld);
        }
    }

    /// <param name="InFlight">What each session whose refresh died answers on the survivor, once its re-presentation is done.</param>
    /// <param name="Idle">What each control session answers on the survivor.</param>
    /// <param name="Reuses">Spent refresh tokens the provider saw presented again.</param>
    /// <param name="CallsWhileDeadLeasesHeld">Provider calls the survivor made while the dead instance's leases were still in Redis (must be none: the lock).</param>
    private sealed record Crash(HttpStatusCode[] InFlight, HttpStatusCode[] Idle, int Reuses, int CallsWhileDeadLeasesHeld);

    private static async Task<Crash> CrashDuringRefreshesAsync(RedisServer redis, ProviderHost provider)
    {
        var configuration = GatewayHost.ConfigurationFor(provider, redis.Configuration);
        // Every request refreshes: the provider's 5-minute tokens are always inside this window.
        configuration["Bff:Tokens:RefreshBeforeExpiry"] = "00:10:00";
        var cookies = new List<string>();
        var idleCookies = new List<string>();
        var hashes = new List<string>();
        var reuses = provider.TokenLog.Reuses;
        await using (var doomed = await GatewayProcess.StartAsync(provider, configuration))
        {
            for (var i = 0; i < Sessions + IdleSessions; i++)
            {
                using var browser = new BrowserClient(doomed.Address);
                await browser.LoginAsync();
                (i < Sessions ? cookies : idleCookies).Add(browser.GatewayCookie("__Host-bff")!.Value);
                if (i < Sessions)
                {
                    hashes.Add(browser.SessionHash());
                }
            }

            var refreshes = provider.TokenLog.RefreshRequests;
            provider.Settings.RefreshDelay = TimeSpan.FromSeconds(2);
            var inFlight = cookies.Select(cookie => BrowserWith(doomed.Address, cookie).GetAsync("/api/whoami")).ToArray();
            await Eventually.HoldsAsync(() => provider.TokenLog.RefreshRequests >= refreshes + Sessions, "the refreshes to reach the provider",
                TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(20));

            await doomed.KillAsync();
            await Assert.ThrowsAnyAsync<Exception>(() => Task.WhenAll(inFlight));
            provider.Settings.RefreshDelay = TimeSpan.Zero;
        }

        await using var survivor = await GatewayHost.StartAsync(provider, configuration);
        var keys = survivor.Services.GetRequiredService<RedisKeys>();
        var deadLeases = hashes.Select(keys.RefreshLock).ToArray();
        var database = redis.Connection.GetDatabase();
        Assert.True(await database.KeyExistsAsync(deadLeases) == Sessions, "the dead instance's leases should still be held");
        var callsBefore = provider.TokenLog.RefreshRequests;
        var callsWhileHeld = 0;

        // First round: each request either gets the still-valid old token at IdpTimeout or waits for the
        // re-presentation; meanwhile nobody may call the provider for a session whose dead lease is held.
        // A call counted before a moment when every dead lease still existed was made while they were all held;
        // once the first lapses (they lapse milliseconds apart), a call may rightly follow for that session.
        var firstRound = Task.WhenAll(cookies.Select(cookie => StatusOnAsync(survivor, cookie)));
        while (true)
        {
            var calls = provider.TokenLog.RefreshRequests - callsBefore;
            if (await database.KeyExistsAsync(deadLeases) < Sessions)
            {
                break;
            }

            callsWhileHeld = calls;
            await Task.Delay(20);
        }

        await firstRound;
        var coordinator = survivor.Services.GetRequiredService<TokenRefreshCoordinator>();
        await Eventually.HoldsAsync(() => coordinator.InFlightCount == 0, "the survivor's re-presentations to finish", TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(20));

        var inFlightStatuses = await Task.WhenAll(cookies.Select(cookie => StatusOnAsync(survivor, cookie)));
        var idleStatuses = await Task.WhenAll(idleCookies.Select(cookie => StatusOnAsync(survivor, cookie)));
        return new Crash(inFlightStatuses, idleStatuses, provider.TokenLog.Reuses - reuses, callsWhileHeld);
    }

    private static async Task<HttpStatusCode> StatusOnAsync(GatewayHost gateway, string cookie)
    {
        using var browser = BrowserWith(gateway.Address, cookie);
        return (await browser.GetAsync("/api/whoami")).StatusCode;
    }

    private static BrowserClient BrowserWith(string address, string cookie)
    {
        var browser = new BrowserClient(address);
        browser.SetGatewayCookie("__Host-bff", cookie);
        return browser;
    }
}
