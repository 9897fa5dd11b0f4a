using System.Net;
using System.Text.Json;
using Bff.Demo.Api;
using Bff.Sessions;
using Bff.Tests.Endpoints;
using Bff.Tests.Infrastructure;

namespace Bff.Tests.Tokens;

/// <summary>
/// One session, several APIs, each with its own audience (DESIGN invariant 9): every route gets a token for its
/// own resource, from the session's one refresh token, which the strict provider sees presented once.
/// </summary>
public sealed class ResourceTokenTests(ResourceTokenTests.ResourceFleet fleet) : IClassFixture<ResourceTokenTests.ResourceFleet>
{
    public sealed class ResourceFleet() : FleetFixture(instances: 2)
    {
        protected override Task ConfigureAsync(Dictionary<string, string?> configuration)
        {
            ResourceRoutes.AddTo(configuration);
            configuration["ReverseProxy:Routes:unknown:ClusterId"] = "api";
            configuration["ReverseProxy:Routes:unknown:Match:Path"] = "/unknown/{**rest}";
            configuration["ReverseProxy:Routes:unknown:Metadata:Bff.AccessToken"] = "User";
            configuration["ReverseProxy:Routes:unknown:Metadata:Bff.AccessToken.Resource"] = "https://not-registered.example/";
            return Task.CompletedTask;
        }
    }

    [Fact]
    public async Task sixty_requests_over_three_resource_routes_and_two_instances_get_each_api_its_own_token_through_five_rotations()
    {
        const int Requests = 60, Rotations = 5;
        var browsers = await fleet.SignInEverywhereAsync();
        var refreshes = fleet.Provider.TokenLog.RefreshRequests;
        var reuses = fleet.Provider.TokenLog.Reuses;
        var upstreamBefore = fleet.Provider.Upstream.Requests.Count;

        // Round 0 obtains each resource's first token; every later round starts when they have all expired.
        for (var round = 0; round <= Rotations; round++)
        {
            if (round > 0)
            {
                var session = await fleet.Gateways[0].SessionOfAsync(browsers[0]);
                Assert.Equal(3, session.Tokens.Targets.Count);
                fleet.Clock.SetUtcNow(session.Tokens.Targets.Values.Max(t => t.ExpiresAt));
            }

            var responses = await Task.WhenAll(Enumerable.Range(0, Requests).Select(i =>
                browsers[i % 2].GetAsync($"{ResourceRoutes.Paths[i % 3]}/whoami")));
            for (var i = 0; i < Requests; i++)
            {
                Assert.Equal(HttpStatusCode.OK, responses[i].StatusCode);
                using var answer = JsonDocument.Parse(await responses[i].Content.ReadAsStringAsync());
                Assert.Equal(DemoApi.Resources[i % 3], answer.RootElement.GetProperty("api").GetString());
            }

            Assert.Equal(refreshes + 3 * (round + 1), fleet.Provider.TokenLog.RefreshRequests);
        }

        // What each API received: only tokens for its own audience (the APIs refuse others, with a 401 that the
        // gateway would have answered with one more refresh each, which the count above rules out).
        var received = fleet.Provider.Upstream.Requests.Skip(upstreamBefore).ToArray();
        Assert.Equal(Requests * (Rotations + 1), received.Length);
        foreach (var request in received)
        {
            var resource = DemoApi.Resources.Single(r => request.Path.StartsWith(DemoApi.PathOf(r) + "/", StringComparison.Ordinal));
            Assert.Equal([resource], ResourceRoutes.AudiencesOf(request.Authorization));
        }

        Assert.Equal(reuses, fleet.Provider.TokenLog.Reuses);
        // The sign-in token, which no route here uses, was never refreshed.
        Assert.Equal(1 + 3 * (Rotations + 1), (await fleet.Gateways[0].SessionOfAsync(browsers[0])).Version);
    }

    [Fact]
    public async Task a_resource_the_provider_refuses_fails_that_route_only_and_keeps_the_session()
    {
        var browsers = await fleet.SignInEverywhereAsync();
        var refreshes = fleet.Provider.TokenLog.RefreshRequests;

        await LoginTests.AssertProblemAsync(await browsers[0].GetAsync("/unknown/whoami"), HttpStatusCode.BadGateway, "token_refused");
        Assert.Equal(refreshes + 1, fleet.Provider.TokenLog.RefreshRequests);

        // Backing off: the next request to that route makes no provider call; other routes work throughout.
        await LoginTests.AssertProblemAsync(await browsers[0].GetAsync("/unknown/whoami"), HttpStatusCode.ServiceUnavailable, "refresh_unavailable");
        Assert.Equal(refreshes + 1, fleet.Provider.TokenLog.RefreshRequests);
        Assert.Equal(HttpStatusCode.OK, (await browsers[1].GetAsync("/api/whoami")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browsers[1].GetAsync("/orders/whoami")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browsers[0].GetAsync("/bff/user")).StatusCode);
    }
}
