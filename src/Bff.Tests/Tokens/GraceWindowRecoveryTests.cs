using System.Net;
using Bff.Tests.Infrastructure;

namespace Bff.Tests.Tokens;

/// <summary>
/// The one case where a refresh token is presented twice (DESIGN invariant 1's exception): the holder died
/// after the provider rotated the token. A survivor presents the old token as soon as the lease lapses, and a
/// provider with a reuse grace window (OpenIddict's default, 30 s) answers with current tokens.
/// </summary>
public sealed class GraceWindowRecoveryTests(GraceWindowRecoveryTests.GraceProviderFleet fleet) : IClassFixture<GraceWindowRecoveryTests.GraceProviderFleet>
{
    public sealed class GraceProviderFleet() : FleetFixture(instances: 2, refreshTokenReuseLeeway: TimeSpan.FromSeconds(30));

    [Fact]
    public async Task a_holder_that_died_after_calling_the_provider_is_recovered_inside_the_grace_window()
    {
        var browsers = await fleet.SignInEverywhereAsync();
        var hash = await fleet.HoldLockAsForeignInstanceAsync(browsers[0], TimeSpan.FromMinutes(1));
        var session = await fleet.Gateways[0].SessionOfAsync(browsers[0]);
        Assert.Equal("ok", await ProviderCalls.RefreshAsync(fleet.Provider, session.Tokens.RefreshToken!));
        var reuses = fleet.Provider.TokenLog.Reuses;
        await fleet.LetForeignLeaseLapseAsync(hash);
        await fleet.MoveClockToExpiryAsync(browsers.Take(1));

        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => browsers[i % 2].GetAsync("/api/whoami")));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(reuses + 1, fleet.Provider.TokenLog.Reuses);

        // The recovered session keeps rotating normally afterwards, with no further reuse.
        await fleet.MoveClockToExpiryAsync(browsers.Take(1));
        Assert.All(await Task.WhenAll(Enumerable.Range(0, 10).Select(i => browsers[i % 2].GetAsync("/api/whoami"))),
            r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(reuses + 1, fleet.Provider.TokenLog.Reuses);
    }
}
