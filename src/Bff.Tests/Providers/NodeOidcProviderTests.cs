using System.Net;
using Bff.Tests.Infrastructure;

namespace Bff.Tests.Providers;

/// <summary>
/// The gateway against a second, independent provider: panva's oidc-provider (OpenID Certified), strict:
/// refresh tokens rotate on every use and a reused one revokes the grant, the client must authenticate with
/// client_secret_basic, access tokens are opaque (their lifetime comes from expires_in, not a JWT), and offline
/// access needs prompt=consent (here set by Bff:Oidc:Prompt).
/// </summary>
public sealed class NodeOidcProviderTests(NodeOidcProviderTests.ConsentFleet fleet) : IClassFixture<NodeOidcProviderTests.ConsentFleet>
{
    public sealed class ConsentFleet() : NodeProviderFleet(prompt: "consent");

    [Fact]
    public async Task sign_in_with_client_secret_basic_and_consent_yields_a_refresh_token_and_an_opaque_access_token_the_api_accepts()
    {
        var before = await fleet.Provider.EventsAsync();
        var browsers = await fleet.SignInEverywhereAsync();

        var session = await fleet.Gateways[0].SessionOfAsync(browsers[0]);
        Assert.NotNull(session.Tokens.RefreshToken);
        Assert.NotEqual(2, session.Tokens.AccessToken.Count(c => c == '.'));
        Assert.Equal(before.OfflineGrants + 1, (await fleet.Provider.EventsAsync()).OfflineGrants);
        foreach (var browser in browsers)
        {
            var response = await browser.GetAsync("/api/whoami");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains($"\"sub\":\"{ProviderHost.User}\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.Equal(HttpStatusCode.OK, (await browsers[1].GetAsync("/bff/user")).StatusCode);
    }

    [Fact]
    public async Task concurrent_requests_over_two_instances_at_each_expiry_make_one_refresh_per_rotation_and_no_reuse()
    {
        const int Rotations = 3, Requests = 40;
        var browsers = await fleet.SignInEverywhereAsync();
        var before = await fleet.Provider.EventsAsync();

        for (var rotation = 0; rotation < Rotations; rotation++)
        {
            var session = await fleet.Gateways[0].SessionOfAsync(browsers[0]);
            fleet.Clock.SetUtcNow(session.Tokens.AccessTokenExpiresAt);
            var responses = await Task.WhenAll(Enumerable.Range(0, Requests).Select(i => browsers[i % 2].GetAsync("/api/whoami")));
            Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        }

        var after = await fleet.Provider.EventsAsync();
        Assert.Equal(before.Refreshes + Rotations, after.Refreshes);
        Assert.Equal(before.Reuses, after.Reuses);
        Assert.Equal(1 + Rotations, (await fleet.Gateways[1].SessionOfAsync(browsers[1])).Version);
    }

    [Fact]
    public async Task logout_revokes_the_refresh_token_at_the_provider_with_client_secret_basic()
    {
        var browsers = await fleet.SignInEverywhereAsync();
        var before = await fleet.Provider.EventsAsync();

        var logout = new HttpRequestMessage(HttpMethod.Post, "/bff/logout");
        logout.Headers.Add("X-CSRF", "1");
        await browsers[1].SendAsync(logout);

        Assert.Equal(before.Revocations + 1, (await fleet.Provider.EventsAsync()).Revocations);
        Assert.Equal(HttpStatusCode.Unauthorized, (await browsers[0].GetAsync("/api/whoami")).StatusCode);
    }
}
