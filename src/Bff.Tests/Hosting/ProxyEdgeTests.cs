using System.Net;
using System.Text.Json;
using Bff.Tests.Infrastructure;

namespace Bff.Tests.Hosting;

/// <summary>
/// The gateway behind a proxy: forwarded headers are believed only from the configured proxies (none by default,
/// not even loopback), and it can be served under a path base.
/// </summary>
public sealed class ProxyEdgeTests(ProviderHost provider) : IClassFixture<ProviderHost>
{
    [Theory]
    [InlineData(null, null, "http")]
    [InlineData("10.9.9.9", null, "http")]
    [InlineData(null, "10.0.0.0/8", "http")]
    [InlineData("127.0.0.1", null, "https")]
    [InlineData(null, "127.0.0.0/8", "https")]
    public async Task the_redirect_uri_follows_forwarded_headers_only_from_a_configured_proxy(string? proxy, string? network, string scheme)
    {
        var configuration = GatewayHost.ConfigurationFor(provider);
        if (proxy is not null)
        {
            configuration["Bff:ForwardedHeaders:KnownProxies:0"] = proxy;
        }

        if (network is not null)
        {
            configuration["Bff:ForwardedHeaders:KnownNetworks:0"] = network;
        }

        await using var gateway = await GatewayHost.StartAsync(provider, configuration);
        using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false });
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{gateway.Address}/bff/login");
        // What a TLS-terminating proxy sends, or what anyone can send who reaches the gateway directly.
        request.Headers.Add("X-Forwarded-Proto", "https");
        request.Headers.Add("X-Forwarded-Host", "gateway.example");
        request.Headers.Add("X-Forwarded-For", "203.0.113.7");

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var redirectUri = System.Web.HttpUtility.ParseQueryString(response.Headers.Location!.Query)["redirect_uri"];
        var expected = scheme == "https" ? "https://gateway.example/signin-oidc" : $"{gateway.Address}/signin-oidc";
        Assert.Equal(expected, redirectUri);
        // The sign-in's own cookies are Secure whatever the scheme the gateway sees (so also behind TLS termination).
        var cookies = response.Headers.GetValues("Set-Cookie").ToArray();
        Assert.NotEmpty(cookies);
        Assert.All(cookies, c => Assert.Contains("; secure", c, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task under_a_path_base_login_user_api_calls_and_logout_work()
    {
        var configuration = GatewayHost.ConfigurationFor(provider);
        configuration["Bff:PathBase"] = "/app";
        await using var gateway = await GatewayHost.StartAsync(provider, configuration);
        await provider.AllowGatewayAsync(gateway.Address + "/app");
        using var browser = new BrowserClient(gateway.Address, pathBase: "/app");

        var landing = await browser.LoginAsync(returnUrl: "/orders?tab=1");
        Assert.Equal("/app/orders?tab=1", landing.Headers.Location!.OriginalString);

        var user = await browser.GetAsync("/bff/user");
        Assert.Equal(HttpStatusCode.OK, user.StatusCode);
        using var info = JsonDocument.Parse(await user.Content.ReadAsStringAsync());
        var logoutUrl = info.RootElement.GetProperty("session").GetProperty("logoutUrl").GetString()!;
        Assert.StartsWith("/app/bff/logout?sid=", logoutUrl, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/api/whoami")).StatusCode);

        var logout = await browser.SendAsync(new HttpRequestMessage(HttpMethod.Get, new Uri(browser.Gateway, logoutUrl)));
        Assert.Equal(HttpStatusCode.Redirect, logout.StatusCode);
        var postLogout = System.Web.HttpUtility.ParseQueryString(logout.Headers.Location!.Query)["post_logout_redirect_uri"];
        Assert.Equal($"{gateway.Address}/app/signout-callback-oidc", postLogout);
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync("/bff/user")).StatusCode);
    }
}
