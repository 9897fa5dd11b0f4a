using System.Net;
using Bff.Tests.Infrastructure;

namespace Bff.Tests.Edge;

/// <summary>
/// Two gateways on plain http behind a real nginx running deploy/compose's configuration, terminating TLS, trusted as their proxy
/// (<c>Bff:ForwardedHeaders:KnownProxies</c>): the browser's https origin is what the provider, the cookies and
/// the redirects see. (A peer that is not trusted is ignored: <c>ProxyEdgeTests</c>.)
/// </summary>
public sealed class TlsTerminationTests(TwoInstanceFleet fleet) : IClassFixture<TwoInstanceFleet>
{
    [Fact]
    public async Task login_through_nginx_terminating_tls_uses_the_https_origin_and_api_calls_work_on_both_gateways()
    {
        var configuration = new Dictionary<string, string?>(fleet.Configuration) { ["Bff:ForwardedHeaders:KnownProxies:0"] = "127.0.0.1" };
        await using var first = await GatewayHost.StartAsync(fleet.Provider, configuration);
        await using var second = await GatewayHost.StartAsync(fleet.Provider, configuration);
        using var nginx = await TlsNginx.StartAsync([first.Address, second.Address]);
        await fleet.Provider.AllowGatewayAsync(nginx.Address);
        using var browser = new BrowserClient(nginx.Address);

        Uri? callback = null;
        var landing = await browser.LoginAsync(onCallback: (uri, _) => callback = uri);

        // The provider was given, and posted the code back to, the https redirect URI.
        Assert.Equal(new Uri($"{nginx.Address}/signin-oidc"), callback);
        Assert.Equal("/", landing.Headers.Location?.OriginalString);
        var cookie = browser.GatewayCookie("__Host-bff");
        Assert.NotNull(cookie);
        Assert.Contains("; secure", cookie.SetCookieHeader, StringComparison.OrdinalIgnoreCase);

        // Round robin over both gateways: every call works, whichever answers.
        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => browser.GetAsync("/api/whoami")));
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/bff/user")).StatusCode);
    }

    [Fact]
    public async Task plain_http_on_the_shipped_nginx_only_redirects_to_the_https_origin()
    {
        await using var gateway = await GatewayHost.StartAsync(fleet.Provider, fleet.Configuration);
        using var nginx = await TlsNginx.StartAsync([gateway.Address]);
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });

        using var response = await http.GetAsync($"{nginx.PlainAddress}/bff/user?x=1");

        Assert.Equal(HttpStatusCode.PermanentRedirect, response.StatusCode);
        Assert.Equal(new Uri($"{nginx.Address}/bff/user?x=1"), response.Headers.Location);
    }
}
