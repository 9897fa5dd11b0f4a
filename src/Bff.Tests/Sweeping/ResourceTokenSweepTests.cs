using System.Net;
using Bff.Demo.Api;
using Bff.Sessions;
using Bff.Tests.Infrastructure;

namespace Bff.Tests.Sweeping;

/// <summary>
/// The sweeper keeps a session's resource tokens fresh while API calls use them, and drops one that went unused
/// for its whole life instead of refreshing it forever (two instances, shared fake clock, strict provider).
/// </summary>
public sealed class ResourceTokenSweepTests(ResourceTokenSweepTests.SweepingResourceFleet fleet) : IClassFixture<ResourceTokenSweepTests.SweepingResourceFleet>
{
    public sealed class SweepingResourceFleet() : FleetFixture(instances: 2, sweeper: true)
    {
        protected override Task ConfigureAsync(Dictionary<string, string?> configuration)
        {
            ResourceRoutes.AddTo(configuration);
            configuration["Bff:Sweeper:Interval"] = "00:00:05";
            return Task.CompletedTask;
        }
    }

    private static readonly TokenTarget Orders = new(DemoApi.Resources[0], null, null);
    private static readonly TokenTarget Billing = new(DemoApi.Resources[1], null, null);

    [Fact]
    public async Task resource_tokens_in_use_are_refreshed_ahead_of_expiry_and_an_unused_one_is_dropped()
    {
        var browsers = await fleet.SignInEverywhereAsync();
        var reuses = fleet.Provider.TokenLog.Reuses;
        Assert.Equal(HttpStatusCode.OK, (await browsers[0].GetAsync("/orders/whoami")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browsers[1].GetAsync("/billing/whoami")).StatusCode);
        var first = await UsedSinceIssuedAsync(browsers[0], Orders, Billing);

        // Both were used: the sweep ahead of their expiry refreshes both (and the sign-in token).
        await fleet.SweepAllAtAsync(first.Tokens.EarliestExpiry - SweeperTests.SweepLead);
        var second = await fleet.Gateways[0].SessionOfAsync(browsers[0]);
        Assert.NotEqual(first.Tokens.AccessTokenFor(Orders), second.Tokens.AccessTokenFor(Orders));
        Assert.NotEqual(first.Tokens.AccessTokenFor(Billing), second.Tokens.AccessTokenFor(Billing));
        Assert.NotEqual(first.Tokens.AccessToken, second.Tokens.AccessToken);

        // Only orders is used from now on: at the next sweep billing's token is dropped, orders' refreshed.
        Assert.Equal(HttpStatusCode.OK, (await browsers[1].GetAsync("/orders/whoami")).StatusCode);
        await UsedSinceIssuedAsync(browsers[0], Orders);
        var refreshes = fleet.Provider.TokenLog.RefreshRequests;
        await fleet.SweepAllAtAsync(second.Tokens.EarliestExpiry - SweeperTests.SweepLead);
        var third = await fleet.Gateways[0].SessionOfAsync(browsers[0]);
        Assert.NotEqual(second.Tokens.AccessTokenFor(Orders), third.Tokens.AccessTokenFor(Orders));
        Assert.Null(third.Tokens.AccessTokenFor(Billing));
        Assert.Equal(refreshes + 2, fleet.Provider.TokenLog.RefreshRequests);

        // Needed again, billing gets a new token on demand.
        Assert.Equal(HttpStatusCode.OK, (await browsers[0].GetAsync("/billing/whoami")).StatusCode);
        Assert.NotNull((await fleet.Gateways[0].SessionOfAsync(browsers[0])).Tokens.AccessTokenFor(Billing));
        Assert.Equal(reuses, fleet.Provider.TokenLog.Reuses);
    }

    /// <summary>Waits until the uses of these targets' current tokens are recorded (the request path records them in the background).</summary>
    private async Task<SessionRecord> UsedSinceIssuedAsync(BrowserClient browser, params TokenTarget[] targets)
    {
        var store = fleet.Gateways[0].Services.GetRequiredService<ISessionStore>();
        var key = browser.SessionKeyOf();
        await Eventually.HoldsAsync(async () =>
        {
            var session = await fleet.Gateways[0].SessionOfAsync(browser);
            foreach (var target in targets)
            {
                if (await store.LastUsedAsync(key, target.Id) is not { } used || used < session.Tokens.Targets[target.Id].IssuedAt)
                {
                    return false;
                }
            }

            return true;
        }, "the uses of the resource tokens to be recorded", TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(20));
        return await fleet.Gateways[0].SessionOfAsync(browser);
    }
}
