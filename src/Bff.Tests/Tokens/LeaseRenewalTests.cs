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
        var race = await fleet.RaceAtExpiryAsync(requests: 30, providerDelay: ShortLeaseFleet.Lease + TimeSpan.FromSeconds(3));

        Assert.All(race.Responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(1, race.Refreshes);
        Assert.Equal(0, race.Reuses);
    }
}
