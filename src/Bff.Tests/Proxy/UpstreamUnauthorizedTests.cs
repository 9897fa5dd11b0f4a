using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Bff.Demo.Api;
using Bff.Tests.Infrastructure;

namespace Bff.Tests.Proxy;

/// <summary>
/// The reactive path: the upstream API answers 401 to a token the gateway believed valid. The gateway forces
/// one refresh of that token version and replays the request once, when the request can be replayed.
/// </summary>
public sealed class UpstreamUnauthorizedTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>, IDisposable
{
    private readonly BrowserClient _browser = new(fixture.Gateway.Address);

    private UpstreamRejections Rejections => fixture.Provider.ApiServices.GetRequiredService<UpstreamRejections>();

    public void Dispose()
    {
        Rejections.RejectAll = false;
        _browser.Dispose();
    }

    [Fact]
    public async Task an_upstream_401_forces_one_refresh_and_one_retry_with_the_new_token()
    {
        await _browser.LoginAsync();
        var before = await fixture.Gateway.SessionOfAsync(_browser);
        Rejections.Reject(before.Tokens.AccessToken);
        var refreshes = fixture.Provider.TokenLog.RefreshRequests;
        var forwarded = fixture.Provider.Upstream.Requests.Count;

        var response = await _browser.GetAsync("/api/whoami");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(refreshes + 1, fixture.Provider.TokenLog.RefreshRequests);
        Assert.Equal(forwarded + 2, fixture.Provider.Upstream.Requests.Count);
        var after = await fixture.Gateway.SessionOfAsync(_browser);
        Assert.Equal(before.Version + 1, after.Version);
        Assert.Equal($"Bearer {after.Tokens.AccessToken}", fixture.Provider.Upstream.Requests.Last().Authorization);
    }

    [Fact]
    public async Task a_small_post_is_replayed_with_its_body()
    {
        await _browser.LoginAsync();
        Rejections.Reject((await fixture.Gateway.SessionOfAsync(_browser)).Tokens.AccessToken);

        var response = await _browser.SendAsync(Post("/api/echo", "{\"hello\":\"world\"}"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("{\"hello\":\"world\"}", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("body").GetString());
    }

    [Fact]
    public async Task a_second_401_passes_through_after_a_single_refresh()
    {
        await _browser.LoginAsync();
        Rejections.RejectAll = true;
        var refreshes = fixture.Provider.TokenLog.RefreshRequests;
        var forwarded = fixture.Provider.Upstream.Requests.Count;

        var response = await _browser.GetAsync("/api/whoami");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("token rejected by the API", await response.Content.ReadAsStringAsync());
        Assert.Equal(refreshes + 1, fixture.Provider.TokenLog.RefreshRequests);
        Assert.Equal(forwarded + 2, fixture.Provider.Upstream.Requests.Count);
    }

    [Fact]
    public async Task a_post_larger_than_the_replay_limit_is_not_replayed_and_its_401_passes_through()
    {
        await _browser.LoginAsync();
        Rejections.Reject((await fixture.Gateway.SessionOfAsync(_browser)).Tokens.AccessToken);
        var refreshes = fixture.Provider.TokenLog.RefreshRequests;
        var forwarded = fixture.Provider.Upstream.Requests.Count;

        var response = await _browser.SendAsync(Post("/api/echo", new string('x', 64 * 1024 + 1)));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(refreshes, fixture.Provider.TokenLog.RefreshRequests);
        Assert.Equal(forwarded + 1, fixture.Provider.Upstream.Requests.Count);
    }

    private static HttpRequestMessage Post(string path, string body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("X-CSRF", "1");
        return request;
    }
}
