using System.Net;
using Bff.Tests.Endpoints;
using Bff.Tests.Infrastructure;

namespace Bff.Tests.Security;

/// <summary>
/// Hostile or broken input from the browser: each gets a clear 4xx, nothing is forwarded upstream, nothing
/// crashes, and the user's real session is not disturbed.
/// </summary>
public sealed class BadInputTests(ProviderHost provider) : IClassFixture<ProviderHost>, IAsyncLifetime
{
    private GatewayHost _gateway = null!;
    private BrowserClient _user = null!;
    private string _cookie = "";

    public async Task InitializeAsync()
    {
        _gateway = await GatewayHost.StartAsync(provider, GatewayHost.ConfigurationFor(provider));
        _user = new BrowserClient(_gateway.Address);
        await _user.LoginAsync();
        _cookie = _user.GatewayCookie("__Host-bff")!.Value;
    }

    public async Task DisposeAsync()
    {
        // Whatever the attack, the real session still works.
        Assert.Equal(HttpStatusCode.OK, (await _user.GetAsync("/api/whoami")).StatusCode);
        _user.Dispose();
        await _gateway.DisposeAsync();
    }

    public static TheoryData<string> ForgedCookies => new()
    {
        "tampered", "truncated", "oversized", "empty-looking",
    };

    [Theory]
    [MemberData(nameof(ForgedCookies))]
    public async Task a_forged_session_cookie_is_401_and_nothing_is_forwarded(string kind)
    {
        using var attacker = new BrowserClient(_gateway.Address);
        attacker.SetGatewayCookie("__Host-bff", kind switch
        {
            "tampered" => _cookie[..^1] + (_cookie[^1] == 'A' ? 'B' : 'A'),
            "truncated" => _cookie[..20],
            "oversized" => new string('A', 8 * 1024),
            _ => "%00%00",
        });

        await AssertNotForwardedAsync(async () =>
            await LoginTests.AssertProblemAsync(await attacker.GetAsync("/api/whoami"), HttpStatusCode.Unauthorized, "session_ended"));
        Assert.Null(attacker.GatewayCookie("__Host-bff"));
    }

    [Fact]
    public async Task a_cookie_from_another_deployment_is_401()
    {
        await using var other = await GatewayHost.StartAsync(provider, GatewayHost.ConfigurationFor(provider));
        using var elsewhere = new BrowserClient(other.Address);
        await elsewhere.LoginAsync();
        using var replay = new BrowserClient(_gateway.Address);
        replay.SetGatewayCookie("__Host-bff", elsewhere.GatewayCookie("__Host-bff")!.Value);

        await AssertNotForwardedAsync(async () =>
            await LoginTests.AssertProblemAsync(await replay.GetAsync("/api/whoami"), HttpStatusCode.Unauthorized, "session_ended"));
    }

    [Fact]
    public async Task an_oversized_header_is_refused_by_the_server()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/whoami");
        request.Headers.Add("X-CSRF", "1");
        request.Headers.TryAddWithoutValidation("X-Padding", new string('x', 64 * 1024));

        await AssertNotForwardedAsync(async () =>
            Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, (await _user.SendAsync(request)).StatusCode));
    }

    [Theory]
    [InlineData("/api/..%2fbff%2fuser", HttpStatusCode.BadRequest)]
    [InlineData("/api/..%5cadmin", HttpStatusCode.BadRequest)]
    [InlineData("/api/whoami%2F..%2F..%2Fadmin", HttpStatusCode.BadRequest)]
    // Encoded dots are decoded and resolved before routing: "/admin" matches no route.
    [InlineData("/api/%2e%2e/%2e%2e/admin", HttpStatusCode.NotFound)]
    public async Task a_path_that_tries_to_leave_the_route_prefix_is_refused_and_not_forwarded(string path, HttpStatusCode expected)
    {
        await AssertNotForwardedAsync(async () =>
        {
            var response = await _user.GetAsync(path);
            if (expected == HttpStatusCode.BadRequest)
            {
                await LoginTests.AssertProblemAsync(response, expected, "invalid_path");
            }
            else
            {
                Assert.Equal(expected, response.StatusCode);
            }
        });
    }

    [Fact]
    public async Task the_oidc_callback_rejects_a_replayed_or_cross_session_state()
    {
        using var victim = new BrowserClient(_gateway.Address);
        (Uri Url, Dictionary<string, string> Form)? callback = null;
        await victim.LoginAsync(onCallback: (url, form) => callback = (url, form));
        Assert.NotNull(callback);

        var replayed = await victim.PostFormAsync(callback.Value.Url, callback.Value.Form);
        await LoginTests.AssertProblemAsync(replayed, HttpStatusCode.BadRequest, "login_failed");

        using var attacker = new BrowserClient(_gateway.Address);
        var crossSession = await attacker.PostFormAsync(callback.Value.Url, callback.Value.Form);
        await LoginTests.AssertProblemAsync(crossSession, HttpStatusCode.BadRequest, "login_failed");
        Assert.Null(attacker.GatewayCookie("__Host-bff"));
    }

    private async Task AssertNotForwardedAsync(Func<Task> attack)
    {
        var forwarded = provider.Upstream.Requests.Count;
        await attack();
        Assert.Equal(forwarded, provider.Upstream.Requests.Count);
    }
}
