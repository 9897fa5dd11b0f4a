using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Bff.Tests.Infrastructure;

namespace Bff.Tests.Endpoints;

/// <summary>Login, the session cookie, /bff/user and logout, against the real OpenIddict provider.</summary>
public sealed class LoginTests(ProviderHost provider) : IClassFixture<ProviderHost>, IAsyncLifetime
{
    private GatewayHost _gateway = null!;

    public async Task InitializeAsync() => _gateway = await GatewayHost.StartAsync(provider, GatewayHost.ConfigurationFor(provider));

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    [Fact]
    public async Task login_round_trip_creates_a_session_and_returns_to_the_local_url()
    {
        using var browser = new BrowserClient(_gateway.Address);

        var final = await browser.LoginAsync(returnUrl: "/app?tab=1");

        Assert.Equal(HttpStatusCode.Redirect, final.StatusCode);
        Assert.Equal("/app?tab=1", final.Headers.Location!.OriginalString);
        var user = await browser.GetAsync("/bff/user");
        Assert.Equal(HttpStatusCode.OK, user.StatusCode);
        using var json = JsonDocument.Parse(await user.Content.ReadAsStringAsync());
        var claims = json.RootElement.GetProperty("claims").EnumerateArray()
            .ToDictionary(c => c.GetProperty("type").GetString()!, c => c.GetProperty("value").GetString());
        Assert.Equal(ProviderHost.User, claims["sub"]);
        Assert.Equal(ProviderHost.User, claims["name"]);
        var session = json.RootElement.GetProperty("session");
        Assert.True(session.GetProperty("absoluteExpiresAt").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddDays(6));
        Assert.True(session.GetProperty("idleExpiresAt").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddHours(7));
    }

    [Fact]
    public async Task the_configured_prompt_and_authorize_parameters_reach_the_provider_and_the_sign_in_still_completes()
    {
        var configuration = GatewayHost.ConfigurationFor(provider);
        configuration["Bff:Oidc:Prompt"] = "consent";
        configuration["Bff:Oidc:AuthorizeParameters:access_type"] = "offline";
        await using var gateway = await GatewayHost.StartAsync(provider, configuration);
        using var browser = new BrowserClient(gateway.Address);

        var login = await browser.GetAsync("/bff/login?returnUrl=%2F", csrf: false);
        var query = System.Web.HttpUtility.ParseQueryString(login.Headers.Location!.Query);
        Assert.Equal("consent", query["prompt"]);
        Assert.Equal("offline", query["access_type"]);

        await browser.LoginAsync();
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/bff/user")).StatusCode);
    }

    [Fact]
    public async Task session_cookie_is_an_opaque_host_only_strict_cookie_holding_no_token()
    {
        using var browser = new BrowserClient(_gateway.Address);
        await browser.LoginAsync();

        var cookie = browser.GatewayCookie("__Host-bff");
        Assert.NotNull(cookie);
        Assert.Equal(43, cookie.Value.Length);
        var attributes = cookie.SetCookieHeader.ToLowerInvariant();
        Assert.Contains("httponly", attributes);
        Assert.Contains("secure", attributes);
        Assert.Contains("samesite=strict", attributes);
        Assert.Contains("path=/", attributes);
        Assert.DoesNotContain("domain=", attributes);
        var session = await _gateway.SessionOfAsync(browser);
        Assert.NotNull(session.Tokens.RefreshToken);
        Assert.NotNull(session.Tokens.IdToken);
        GatewayInspection.AssertNoTokenIn([cookie.SetCookieHeader], session.Tokens);
    }

    [Fact]
    public async Task no_response_to_the_browser_contains_a_token()
    {
        using var browser = new BrowserClient(_gateway.Address);
        await browser.LoginAsync();
        await browser.GetAsync("/bff/user");
        await browser.GetAsync("/api/whoami");

        var session = await _gateway.SessionOfAsync(browser);

        Assert.True(browser.Responses.Count >= 8);
        GatewayInspection.AssertNoTokenIn(browser.Responses, session.Tokens);
    }

    [Fact]
    public async Task user_endpoint_requires_the_csrf_header()
    {
        using var browser = new BrowserClient(_gateway.Address);
        await browser.LoginAsync();

        var response = await browser.GetAsync("/bff/user", csrf: false);

        await AssertProblemAsync(response, HttpStatusCode.Forbidden, "csrf");
    }

    [Fact]
    public async Task anonymous_user_endpoint_is_401_problem_json()
    {
        using var browser = new BrowserClient(_gateway.Address);

        var response = await browser.GetAsync("/bff/user");

        await AssertProblemAsync(response, HttpStatusCode.Unauthorized, "not_authenticated");
    }

    [Theory]
    [InlineData("//evil.example")]
    [InlineData("https://evil.example/")]
    [InlineData("/\\evil.example")]
    [InlineData("\\\\evil.example")]
    [InlineData("evil.example")]
    [InlineData("/ok\r\nSet-Cookie: x=1")]
    public async Task login_rejects_a_non_local_return_url(string returnUrl)
    {
        using var browser = new BrowserClient(_gateway.Address);

        var response = await browser.GetAsync($"/bff/login?returnUrl={Uri.EscapeDataString(returnUrl)}", csrf: false);

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "invalid_return_url");
    }

    [Fact]
    public async Task login_with_a_local_return_url_redirects_to_the_provider_with_pkce()
    {
        using var browser = new BrowserClient(_gateway.Address);

        var response = await browser.GetAsync("/bff/login?returnUrl=%2Fapp", csrf: false);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var location = response.Headers.Location!.ToString();
        Assert.StartsWith(provider.Authority, location, StringComparison.Ordinal);
        Assert.Contains("code_challenge_method=S256", location, StringComparison.Ordinal);
        Assert.Contains("response_type=code", location, StringComparison.Ordinal);
    }

    [Fact]
    public async Task a_new_login_rotates_the_session_id_and_ends_the_previous_session()
    {
        using var browser = new BrowserClient(_gateway.Address);
        await browser.LoginAsync();
        var first = browser.GatewayCookie("__Host-bff")!.Value;

        await browser.LoginAsync();
        var second = browser.GatewayCookie("__Host-bff")!.Value;

        Assert.NotEqual(first, second);
        using var replay = new BrowserClient(_gateway.Address);
        replay.SetGatewayCookie("__Host-bff", first);
        await AssertProblemAsync(await replay.GetAsync("/bff/user"), HttpStatusCode.Unauthorized, "session_ended");
    }

    [Fact]
    public async Task logout_ends_the_session_revokes_the_refresh_token_and_signs_out_at_the_provider()
    {
        using var browser = new BrowserClient(_gateway.Address);
        await browser.LoginAsync();
        var session = await _gateway.SessionOfAsync(browser);
        var cookie = browser.GatewayCookie("__Host-bff")!.Value;

        var response = await browser.GetAsync($"/bff/logout?sid={session.LogoutId}", csrf: false);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith($"{provider.Authority}connect/endsession", response.Headers.Location!.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("id_token_hint=", response.Headers.Location!.ToString(), StringComparison.Ordinal);
        Assert.Contains($"client_id={provider.Settings.ClientId}", response.Headers.Location!.ToString(), StringComparison.Ordinal);
        Assert.Null(browser.GatewayCookie("__Host-bff"));
        using var replay = new BrowserClient(_gateway.Address);
        replay.SetGatewayCookie("__Host-bff", cookie);
        await AssertProblemAsync(await replay.GetAsync("/api/whoami"), HttpStatusCode.Unauthorized, "session_ended");
        Assert.Equal("invalid_grant", await ProviderCalls.RefreshAsync(provider, session.Tokens.RefreshToken!));
    }

    [Fact]
    public async Task logout_by_get_without_the_session_sid_is_refused_and_keeps_the_session()
    {
        using var browser = new BrowserClient(_gateway.Address);
        await browser.LoginAsync();

        var response = await browser.GetAsync("/bff/logout?sid=forged", csrf: false);

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "invalid_logout_request");
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/bff/user")).StatusCode);
    }

    [Fact]
    public async Task logout_by_post_requires_the_csrf_header()
    {
        using var browser = new BrowserClient(_gateway.Address);
        await browser.LoginAsync();

        var refused = await browser.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/bff/logout"));
        await AssertProblemAsync(refused, HttpStatusCode.Forbidden, "csrf");
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/bff/user")).StatusCode);

        var accepted = new HttpRequestMessage(HttpMethod.Post, "/bff/logout");
        accepted.Headers.Add("X-CSRF", "1");
        Assert.Equal(HttpStatusCode.Redirect, (await browser.SendAsync(accepted)).StatusCode);
        await AssertProblemAsync(await browser.GetAsync("/bff/user"), HttpStatusCode.Unauthorized, "not_authenticated");
    }

    internal static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string error)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(error, problem.GetProperty("error").GetString());
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
    }
}
