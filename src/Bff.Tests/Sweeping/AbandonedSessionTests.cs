using System.Net;
using Bff.Redis;
using Bff.Sessions;
using Bff.Tests.Endpoints;
using Bff.Tests.Infrastructure;

namespace Bff.Tests.Sweeping;

/// <summary>
/// The sweeper does not keep abandoned sessions alive: a session that will be idle past
/// <c>Bff:Session:IdleTimeout</c> before its token expires is not refreshed, and it disappears.
/// </summary>
public sealed class AbandonedSessionTests(AbandonedSessionTests.ShortIdleFleet fleet) : IClassFixture<AbandonedSessionTests.ShortIdleFleet>
{
    /// <summary>The idle end (4 min 50 s) falls inside the first token's sweep window (its last 65 s).</summary>
    public sealed class ShortIdleFleet() : FleetFixture(instances: 1, sweeper: true)
    {
        public static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(290);

        protected override Task ConfigureAsync(Dictionary<string, string?> configuration)
        {
            configuration["Bff:Session:IdleTimeout"] = IdleTimeout.ToString();
            return Task.CompletedTask;
        }
    }

    [Fact]
    public async Task a_session_idle_past_the_idle_timeout_is_not_refreshed_and_disappears()
    {
        var browsers = await fleet.SignInEverywhereAsync();
        var session = await fleet.Gateways[0].SessionOfAsync(browsers[0]);
        var key = browsers[0].SessionKeyOf();
        var store = fleet.Gateways[0].Services.GetRequiredService<ISessionStore>();
        var refreshes = fleet.Provider.TokenLog.RefreshRequests;

        await fleet.SweepAllAtAsync(session.Tokens.AccessTokenExpiresAt - SweeperTests.SweepLead);
        Assert.Equal(1, (await store.GetAsync(key, CancellationToken.None))!.Version);
        await fleet.SweepAllAtAsync(session.IdleExpiresAt(ShortIdleFleet.IdleTimeout) + TimeSpan.FromSeconds(1));

        Assert.Equal(refreshes, fleet.Provider.TokenLog.RefreshRequests);
        Assert.Null(await store.GetAsync(key, CancellationToken.None));
        await LoginTests.AssertProblemAsync(await browsers[0].GetAsync("/api/whoami"), HttpStatusCode.Unauthorized, "session_ended");
        var keys = fleet.Gateways[0].Services.GetRequiredService<RedisKeys>();
        Assert.Null(await fleet.Redis.Connection.GetDatabase().SortedSetScoreAsync(keys.RefreshScheduleOf(key.Hash), key.Hash));
    }
}
