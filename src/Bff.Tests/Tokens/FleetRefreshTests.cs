using System.Net;
using Bff.Tests.Infrastructure;

namespace Bff.Tests.Tokens;

/// <summary>
/// Refresh coordination across gateway instances sharing one Redis, against the strict provider that
/// revokes a grant on any refresh-token reuse (DESIGN invariants 1 and 2).
/// </summary>
public sealed class FleetRefreshTests(FleetFixture fleet) : IClassFixture<FleetFixture>
{
    [Fact]
    public async Task two_hundred_concurrent_requests_over_three_instances_at_expiry_make_one_refresh_and_all_use_the_new_token()
    {
        var race = await fleet.RaceAtExpiryAsync(requests: 200, providerDelay: TimeSpan.Zero);

        Assert.All(race.Responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(1, race.Refreshes);
        Assert.Equal(0, race.Reuses);
        var session = await fleet.Gateways[0].SessionOfAsync(race.Browsers[0]);
        Assert.Equal(2, session.Version);
        var bearer = $"Bearer {session.Tokens.AccessToken}";
        Assert.All(fleet.Provider.Upstream.Requests.TakeLast(200), r => Assert.Equal(bearer, r.Authorization));
    }

    [Fact]
    public async Task a_hundred_sessions_with_twenty_concurrent_requests_over_two_instances_refresh_once_per_rotation()
    {
        const int Sessions = 100, RequestsPerSession = 20, Rotations = 5;
        var sessions = new List<BrowserClient[]>();
        for (var i = 0; i < Sessions; i++)
        {
            sessions.Add((await fleet.SignInEverywhereAsync())[..2]);
        }

        var refreshes = fleet.Provider.TokenLog.RefreshRequests;
        var reuses = fleet.Provider.TokenLog.Reuses;
        var statuses = new List<HttpStatusCode>();
        for (var rotation = 0; rotation < Rotations; rotation++)
        {
            await fleet.MoveClockToExpiryAsync(sessions.Select(s => s[0]));
            var responses = await Task.WhenAll(sessions.SelectMany(pair =>
                Enumerable.Range(0, RequestsPerSession).Select(i => pair[i % 2].GetAsync("/api/whoami"))));
            statuses.AddRange(responses.Select(r => r.StatusCode));
        }

        Assert.Equal(Sessions * RequestsPerSession * Rotations, statuses.Count(s => s == HttpStatusCode.OK));
        Assert.Equal(refreshes + Sessions * Rotations, fleet.Provider.TokenLog.RefreshRequests);
        Assert.Equal(reuses, fleet.Provider.TokenLog.Reuses);
        foreach (var pair in sessions)
        {
            Assert.Equal(1 + Rotations, (await fleet.Gateways[0].SessionOfAsync(pair[0])).Version);
            pair[0].Dispose();
            pair[1].Dispose();
        }
    }

    [Fact]
    public async Task a_slow_provider_still_gets_one_refresh_per_token()
    {
        var race = await fleet.RaceAtExpiryAsync(requests: 30, providerDelay: TimeSpan.FromSeconds(3));

        Assert.All(race.Responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(1, race.Refreshes);
        Assert.Equal(0, race.Reuses);
    }
}
