using System.Net;
using Bff.Tests.Endpoints;
using Bff.Tests.Infrastructure;

namespace Bff.Tests.Tokens;

/// <summary>
/// What happens when the instance holding a session's refresh lock dies (DESIGN invariants 1, 4 and 5),
/// against the strict, zero-grace provider.
/// </summary>
public sealed class LockHolderFailureTests(TwoInstanceFleet fleet) : IClassFixture<TwoInstanceFleet>
{
    [Fact]
    public async Task a_holder_that_died_before_calling_the_provider_blocks_the_session_only_until_its_lease_lapses()
    {
        var browsers = await fleet.SignInEverywhereAsync();
        var hash = await fleet.HoldLockAsForeignInstanceAsync(browsers[0], TimeSpan.FromMinutes(1));
        var refreshes = fleet.Provider.TokenLog.RefreshRequests;
        var reuses = fleet.Provider.TokenLog.Reuses;
        await fleet.MoveClockToExpiryAsync(browsers.Take(1));

        var pending = Task.WhenAll(Enumerable.Range(0, 20).Select(i => browsers[i % 2].GetAsync("/api/whoami")));
        await Task.WhenAny(pending, Task.Delay(200));
        Assert.False(pending.IsCompleted);
        await fleet.LetForeignLeaseLapseAsync(hash);
        // No clock move needed: waiters re-read on the real clock, as Redis lets a lease lapse in real time.
        var responses = await pending.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(refreshes + 1, fleet.Provider.TokenLog.RefreshRequests);
        Assert.Equal(reuses, fleet.Provider.TokenLog.Reuses);
    }

    [Fact]
    public async Task a_waiter_that_outlives_the_lease_gets_503_and_the_session_stays()
    {
        var browsers = await fleet.SignInEverywhereAsync();
        var hash = await fleet.HoldLockAsForeignInstanceAsync(browsers[0], TimeSpan.FromMinutes(1));
        var refreshes = fleet.Provider.TokenLog.RefreshRequests;
        await fleet.MoveClockToExpiryAsync(browsers.Take(1));

        var response = await fleet.AdvanceClockUntilAsync(browsers[1].GetAsync("/api/whoami"), TimeSpan.FromSeconds(30));

        await LoginTests.AssertProblemAsync(response, HttpStatusCode.ServiceUnavailable, "refresh_unavailable");
        Assert.Equal(refreshes, fleet.Provider.TokenLog.RefreshRequests);
        await fleet.LetForeignLeaseLapseAsync(hash);
        Assert.Equal(HttpStatusCode.OK, (await browsers[0].GetAsync("/api/whoami")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browsers[1].GetAsync("/bff/user")).StatusCode);
    }

    [Fact]
    public async Task a_holder_that_died_after_calling_a_zero_grace_provider_loses_that_session()
    {
        var browsers = await fleet.SignInEverywhereAsync();
        var hash = await fleet.HoldLockAsForeignInstanceAsync(browsers[0], TimeSpan.FromMinutes(1));
        var session = await fleet.Gateways[0].SessionOfAsync(browsers[0]);
        Assert.Equal("ok", await ProviderCalls.RefreshAsync(fleet.Provider, session.Tokens.RefreshToken!));
        await fleet.LetForeignLeaseLapseAsync(hash);
        await fleet.MoveClockToExpiryAsync(browsers.Take(1));

        var response = await browsers[1].GetAsync("/api/whoami");

        // The documented exception to invariant 1 (README "Known limit"): the provider revokes the grant.
        await LoginTests.AssertProblemAsync(response, HttpStatusCode.Unauthorized, "session_ended");
    }
}
