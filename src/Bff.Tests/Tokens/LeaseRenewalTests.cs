using System.Net;
using Bff.Tests.Infrastructure;

namespace Bff.Tests.Tokens;

/// <summary>
/// DESIGN invariant 4 across instances: a provider call that takes longer than the lock's lease. The holder
/// renews its lease while the call is in flight; the other instances' waiters keep trying the lock (on the real
/// clock, as Redis expires leases), so a lease that lapsed mid-call would let one of them present the same
/// refresh token again, and the strict provider would revoke the session.
/// </summary>
public sealed class LeaseRenewalTests(LeaseRenewalTests.ShortLeaseFleet fleet) : IClassFixture<LeaseRenewalTests.ShortLeaseFleet>
{
    /// <summary>Bff:Tokens:IdpTimeout 1 s: a 6-second lease (IdpTimeout + 5 s).</summary>
    public sealed class ShortLeaseFleet : FleetFixture
    {
        public static readonly TimeSpan Lease = TimeSpan.FromSeconds(6);

        protected override Task ConfigureAsync(Dictionary<string, string?> configuration)
        {
            configuration["Bff:Tokens:IdpTimeout"] = "00:00:01";
            return Task.CompletedTask;
        }
    }

    [Fact]
    public async Task a_provider_call_longer_than_the_lease_still_presents_each_refresh_token_once()
    {
        var browsers = await fleet.SignInEverywhereAsync();
        var refreshes = fleet.Provider.TokenLog.RefreshRequests;
        var reuses = fleet.Provider.TokenLog.Reuses;
        foreach (var faults in fleet.Faults)
        {
            faults.Delay = ShortLeaseFleet.Lease + TimeSpan.FromSeconds(3);
        }

        await fleet.MoveClockToExpiryAsync(browsers.Take(1));
        // The fleet's clock stands still, so requests wait for the call instead of answering 503 at IdpTimeout.
        var responses = await Task.WhenAll(Enumerable.Range(0, 30).Select(i => browsers[i % 3].GetAsync("/api/whoami")));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(refreshes + 1, fleet.Provider.TokenLog.RefreshRequests);
        Assert.Equal(reuses, fleet.Provider.TokenLog.Reuses);
    }
}
