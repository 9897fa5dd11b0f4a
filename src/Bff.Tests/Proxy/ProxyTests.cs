using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Bff.Tests.Endpoints;
using Bff.Tests.Infrastructure;

namespace Bff.Tests.Proxy;

/// <summary>What the gateway forwards, attaches and refuses on YARP routes (DESIGN invariant 6, HTTP surface).</summary>
public sealed class ProxyTests(ProviderHost provider) : IClassFixture<ProviderHost>, IAsyncLifetime
{
    private GatewayHost _gateway = null!;

    public async Task InitializeAsync() => _gateway = await GatewayHost.StartAsync(provider, GatewayHost.ConfigurationFor(provider));

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    [Fact]
    public async Task the_bearer_token_is_attached_and_the_browsers_cookie_and_authorization_are_stripped()
    {
        using var browser = new BrowserClient(_gateway.Address);
        await browser.LoginAsync();
        var session = await _gateway.SessionOfAsync(browser);
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/whoami");
        request.Headers.Add("X-CSRF", "1");
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer forged-by-the-page");
        browser.SetGatewayCookie("tracking", "abc");

        var response = await browser.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(ProviderHost.User, body.GetProperty("sub").GetString());
        Assert.False(body.GetProperty("cookieHeaderPresent").GetBoolean());
        var upstream = provider.Upstream.Requests.Last(r => r.Path == "/api/whoami");
        Assert.Equal("", upstream.Cookie);
        Assert.Equal($"Bearer {session.Tokens.AccessToken}", upstream.Authorization);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("0")]
    [InlineData("true")]
    public async Task a_user_route_without_the_csrf_header_is_refused_and_not_forwarded(string? csrf)
    {
        using var browser = new BrowserClient(_gateway.Address);
        await browser.LoginAsync();
        var forwardedBefore = provider.Upstream.Requests.Count;
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/whoami");
        if (csrf is not null)
        {
            request.Headers.Add("X-CSRF", csrf);
        }

        var response = await browser.SendAsync(request);

        await LoginTests.AssertProblemAsync(response, HttpStatusCode.Forbidden, "csrf");
        Assert.Equal(forwardedBefore, provider.Upstream.Requests.Count);
    }

    [Fact]
    public async Task an_anonymous_call_to_a_user_route_is_401_problem_json_not_a_redirect()
    {
        using var browser = new BrowserClient(_gateway.Address);
        var forwardedBefore = provider.Upstream.Requests.Count;

        var response = await browser.GetAsync("/api/whoami");

        await LoginTests.AssertProblemAsync(response, HttpStatusCode.Unauthorized, "not_authenticated");
        Assert.Null(response.Headers.Location);
        Assert.Equal(forwardedBefore, provider.Upstream.Requests.Count);
    }

    [Theory]
    [InlineData("not-a-session-id")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public async Task a_forged_session_cookie_is_401_session_ended_and_not_forwarded(string cookie)
    {
        using var browser = new BrowserClient(_gateway.Address);
        browser.SetGatewayCookie("__Host-bff", cookie);
        var forwardedBefore = provider.Upstream.Requests.Count;

        var response = await browser.GetAsync("/api/whoami");

        await LoginTests.AssertProblemAsync(response, HttpStatusCode.Unauthorized, "session_ended");
        Assert.Equal(forwardedBefore, provider.Upstream.Requests.Count);
    }

    [Fact]
    public async Task a_user_or_none_route_forwards_anonymous_calls_without_a_token()
    {
        using var browser = new BrowserClient(_gateway.Address);

        var response = await browser.GetAsync("/public/public", csrf: false);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("", provider.Upstream.Requests.Last(r => r.Path == "/api/public").Authorization);
    }

    [Fact]
    public async Task a_user_or_none_route_attaches_the_token_of_a_session_that_sent_the_csrf_header()
    {
        using var browser = new BrowserClient(_gateway.Address);
        await browser.LoginAsync();
        var session = await _gateway.SessionOfAsync(browser);

        await LoginTests.AssertProblemAsync(await browser.GetAsync("/public/whoami", csrf: false), HttpStatusCode.Forbidden, "csrf");
        var response = await browser.GetAsync("/public/whoami");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal($"Bearer {session.Tokens.AccessToken}", provider.Upstream.Requests.Last(r => r.Path == "/api/whoami").Authorization);
    }
}
