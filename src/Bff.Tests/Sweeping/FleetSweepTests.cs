using Bff.Sessions;
using Bff.Tests.Infrastructure;

namespace Bff.Tests.Sweeping;

/// <summary>Two instances share one schedule: every due session is refreshed once, within each instance's concurrency bound.</summary>
public sealed class FleetSweepTests(FleetSweepTests.JsonProviderSweepers fleet) : IClassFixture<FleetSweepTests.JsonProviderSweepers>
{
    public const int MaxConcurrency = 8;

    /// <summary>The JSON stub adopts unknown refresh tokens, so sessions can be seeded straight into the store.</summary>
    public sealed class JsonProviderSweepers() : JsonProviderFleet(instances: 2, sweeper: true)
    {
        protected override async Task ConfigureAsync(Dictionary<string, string?> configuration)
        {
            await base.ConfigureAsync(configuration);
            configuration["Bff:Sweeper:MaxConcurrency"] = MaxConcurrency.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    [Fact]
    public async Task two_instances_sweeping_a_thousand_due_sessions_refresh_each_exactly_once_within_max_concurrency()
    {
        const int Sessions = 1000;
        var store = fleet.Gateways[0].Services.GetRequiredService<ISessionStore>();
        var now = fleet.Clock.GetUtcNow();
        var keys = Enumerable.Range(0, Sessions).Select(_ => SessionKey.CreateNew()).ToArray();
        await Parallel.ForEachAsync(keys.Select((key, i) => (key, i)), async (entry, _) =>
            await store.CreateAsync(entry.key, new SessionRecord
            {
                Version = 1,
                Tokens = new TokenSet($"seed-access-{entry.i}", $"seed-refresh-{entry.i}", null, now + GatewayFixture.TokenLifetime),
                Claims = [new SessionClaim("sub", $"user-{entry.i}")],
                CreatedAt = now,
                LastActiveAt = now,
                AbsoluteExpiresAt = now + TimeSpan.FromDays(1),
                LogoutId = "x",
            }, CancellationToken.None));
        foreach (var faults in fleet.Faults)
        {
            faults.Delay = TimeSpan.FromMilliseconds(20);
        }

        await fleet.SweepAllAtAsync(now + GatewayFixture.TokenLifetime - SweeperTests.SweepLead);

        Assert.Equal(Sessions, fleet.Stub.Calls);
        Assert.Equal(0, fleet.Stub.Reuses);
        foreach (var key in keys)
        {
            Assert.Equal(2, (await store.GetAsync(key, CancellationToken.None))!.Version);
        }

        Assert.All(fleet.Faults, faults => Assert.InRange(faults.MaxConcurrentRequests, 1, MaxConcurrency));
        Assert.All(fleet.Faults, faults => Assert.True(faults.Requests > 0, "both instances took part"));
    }
}
