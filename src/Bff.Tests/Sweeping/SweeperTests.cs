using System.Net;
using Bff.Tests.Endpoints;
using Bff.Tests.Infrastructure;

namespace Bff.Tests.Sweeping;

/// <summary>
/// The background sweeper against the strict provider and real Redis, two instances, on a shared fake
/// clock: sessions are refreshed ahead of expiry without racing requests, abandoned ones expire.
/// </summary>
public sealed class SweeperTests(SweeperTests.SweepingFleet fleet) : IClassFixture<SweeperTests.SweepingFleet>
{
    public sealed class SweepingFleet() : FleetFixture(instances: 2, sweeper: true)
    {
        public static readonly TimeSpan IdleTimeout = TimeSpan.FromMinutes(20);
        public static readonly TimeSpan AbsoluteTimeout = TimeSpan.FromMinutes(60);

        protected override Task ConfigureAsync(Dictionary<string, string?> configuration)
        {
            configuration["Bff:Session:IdleTimeout"] = IdleTimeout.ToString();
            configuration["Bff:Session:AbsoluteTimeout"] = AbsoluteTimeout.ToString();
            configuration["Bff:Sweeper:Interval"] = "00:00:05";
            return Task.CompletedTask;
        }
    }

    /// <summary>RefreshBeforeExpiry (30 s) plus one sweeper interval (5 s): the latest a session is due.</summary>
    internal static readonly TimeSpan SweepLead = TimeSpan.FromSeconds(30 + 5);

    [Fact]
    public async Task an_idle_but_live_session_is_refreshed_by_the_sweeper_and_the_next_request_calls_no_provider()
    {
        var browsers = await fleet.SignInEverywhereAsync();
        var before = await fleet.Gateways[0].SessionOfAsync(browsers[0]);
        var reuses = fleet.Provider.TokenLog.Reuses;

        await SweepBothAtAsync(before.Tokens.AccessTokenExpiresAt - SweepLead);

        // Other tests' live sessions are swept too, so count this session's writes (its version), not the provider's calls.
        var after = await fleet.Gateways[0].SessionOfAsync(browsers[0]);
        Assert.Equal(before.Version + 1, after.Version);
        Assert.Equal(HttpStatusCode.OK, (await browsers[1].GetAsync("/api/whoami")).StatusCode);
        Assert.Equal(after.Version, (await fleet.Gateways[0].SessionOfAsync(browsers[0])).Version);
        Assert.Equal($"Bearer {after.Tokens.AccessToken}", fleet.Provider.Upstream.Requests.Last().Authorization);
        Assert.Equal(reuses, fleet.Provider.TokenLog.Reuses);
    }

    [Fact]
    public async Task the_sweeper_and_a_burst_of_requests_at_the_same_moment_refresh_once()
    {
        var browsers = await fleet.SignInEverywhereAsync();
        var session = await fleet.Gateways[0].SessionOfAsync(browsers[0]);
        var reuses = fleet.Provider.TokenLog.Reuses;

        var expired = await fleet.TickAtOrAfterAsync(session.Tokens.AccessTokenExpiresAt);
        fleet.Clock.SetUtcNow(expired);
        var responses = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => browsers[i % 2].GetAsync("/api/whoami")));
        await Task.WhenAll(fleet.Gateways.Select(g => g.SweptSinceAsync(expired)));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(session.Version + 1, (await fleet.Gateways[0].SessionOfAsync(browsers[0])).Version);
        Assert.Equal(reuses, fleet.Provider.TokenLog.Reuses);
    }

    [Fact]
    public async Task the_absolute_timeout_ends_a_session_however_active()
    {
        var browsers = await fleet.SignInEverywhereAsync();
        var session = await fleet.Gateways[0].SessionOfAsync(browsers[0]);

        for (var now = fleet.Clock.GetUtcNow(); now < session.AbsoluteExpiresAt; now += TimeSpan.FromMinutes(4))
        {
            await SweepBothAtAsync(now);
            Assert.Equal(HttpStatusCode.OK, (await browsers[0].GetAsync("/api/whoami")).StatusCode);
        }

        await SweepBothAtAsync(session.AbsoluteExpiresAt + TimeSpan.FromSeconds(1));

        await LoginTests.AssertProblemAsync(await browsers[1].GetAsync("/api/whoami"), HttpStatusCode.Unauthorized, "session_ended");
    }

    private Task SweepBothAtAsync(DateTimeOffset to) => fleet.SweepAllAtAsync(to);

}
