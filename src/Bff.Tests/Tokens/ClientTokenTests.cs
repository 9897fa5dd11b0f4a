using System.Net;
using System.Text.Json;
using Bff.Demo.Api;
using Bff.Tests.Infrastructure;

namespace Bff.Tests.Tokens;

/// <summary>
/// <c>Client</c> and <c>UserOrClient</c> routes: the gateway's own token (client credentials) for the orders API,
/// shared by three instances: one token request fleet-wide however many requests need it, one more per expiry.
/// </summary>
public sealed class ClientTokenTests(ClientTokenTests.ClientFleet fleet) : IClassFixture<ClientTokenTests.ClientFleet>
{
    public sealed class ClientFleet : FleetFixture
    {
        protected override Task ConfigureAsync(Dictionary<string, string?> configuration)
        {
            foreach (var (route, mode) in new[] { ("service", "Client"), ("either", "UserOrClient") })
            {
                configuration[$"ReverseProxy:Routes:{route}:ClusterId"] = "api";
                configuration[$"ReverseProxy:Routes:{route}:Match:Path"] = $"/{route}/{{**rest}}";
                configuration[$"ReverseProxy:Routes:{route}:Metadata:Bff.AccessToken"] = mode;
                configuration[$"ReverseProxy:Routes:{route}:Metadata:Bff.AccessToken.Resource"] = DemoApi.Resources[0];
                configuration[$"ReverseProxy:Routes:{route}:Transforms:0:PathPattern"] = DemoApi.PathOf(DemoApi.Resources[0]) + "/{**rest}";
            }

            return Task.CompletedTask;
        }
    }

    [Fact]
    public async Task two_hundred_cold_requests_over_three_instances_make_one_client_credentials_request_and_one_more_after_expiry()
    {
        var anonymous = fleet.Gateways.Select(g => new BrowserClient(g.Address)).ToArray();
        var requested = fleet.Provider.TokenLog.ClientCredentialsRequests;

        await AllAnswerAsTheClientAsync(anonymous, "/service/whoami");
        Assert.Equal(requested + 1, fleet.Provider.TokenLog.ClientCredentialsRequests);

        // Expired on the shared clock: again one request for the fleet.
        fleet.Clock.Advance(GatewayFixture.TokenLifetime);
        await AllAnswerAsTheClientAsync(anonymous, "/service/whoami");
        Assert.Equal(requested + 2, fleet.Provider.TokenLog.ClientCredentialsRequests);

        foreach (var browser in anonymous)
        {
            browser.Dispose();
        }
    }

    [Fact]
    public async Task a_user_or_client_route_sends_the_users_token_with_a_session_and_the_gateways_own_without()
    {
        var browsers = await fleet.SignInEverywhereAsync();
        using var anonymous = new BrowserClient(fleet.Gateways[1].Address);

        Assert.Equal(ProviderHost.User, await SubjectAsync(await browsers[0].GetAsync("/either/whoami")));
        Assert.Equal(fleet.Provider.Settings.ClientId, await SubjectAsync(await anonymous.GetAsync("/either/whoami", csrf: false)));
        // With a session the user's token goes out: the request must prove it comes from the SPA.
        Assert.Equal(HttpStatusCode.Forbidden, (await browsers[0].GetAsync("/either/whoami", csrf: false)).StatusCode);
    }

    /// <summary>200 concurrent requests without X-CSRF (a client token carries nothing of the user's) over every instance.</summary>
    private static async Task AllAnswerAsTheClientAsync(BrowserClient[] browsers, string path)
    {
        var responses = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => browsers[i % browsers.Length].GetAsync(path, csrf: false)));
        foreach (var response in responses)
        {
            Assert.Equal("spa-bff", await SubjectAsync(response));
        }
    }

    private static async Task<string?> SubjectAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(DemoApi.Resources[0], answer.RootElement.GetProperty("api").GetString());
        return answer.RootElement.GetProperty("sub").GetString();
    }
}
