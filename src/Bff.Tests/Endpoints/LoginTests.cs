using System.Net;
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
        Assert.True(json.RootElement.GetProperty("session").GetProperty("absoluteExpiresAt").GetDateTimeOffset() > DateTimeOffset.UtcNow);
    }
}
