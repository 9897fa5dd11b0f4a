using System.Net;
using System.Text.RegularExpressions;
using Bff.Tests.Infrastructure;

namespace Bff.Tests.Providers;

/// <summary>
/// Back-channel logout from oidc-provider: the user signs out at the provider (its end-session page, not the
/// gateway's), the provider posts a logout token naming the session's sid to the first gateway, and the session
/// ends on every instance. (A fleet of its own: nothing here moves the clock, which the logout token's iat and
/// exp are checked against.)
/// </summary>
public sealed partial class NodeOidcProviderLogoutTests(NodeOidcProviderLogoutTests.LogoutFleet fleet) : IClassFixture<NodeOidcProviderLogoutTests.LogoutFleet>
{
    public sealed class LogoutFleet() : NodeProviderFleet(prompt: "consent");

    [Fact]
    public async Task signing_out_at_the_provider_ends_the_session_on_every_instance_through_back_channel_logout()
    {
        var browsers = await fleet.SignInEverywhereAsync();
        Assert.Equal(HttpStatusCode.OK, (await browsers[1].GetAsync("/api/whoami")).StatusCode);
        var before = await fleet.Provider.EventsAsync();

        // The provider's own end-session page: a confirmation form, answered "yes".
        var confirmation = await browsers[0].SendAsync(new HttpRequestMessage(HttpMethod.Get, $"{fleet.Provider.Authority}/session/end"));
        var page = await confirmation.Content.ReadAsStringAsync();
        var xsrf = XsrfField().Match(page);
        Assert.True(xsrf.Success, $"no end-session form: {page}");
        await browsers[0].PostFormAsync(new Uri($"{fleet.Provider.Authority}/session/end/confirm"), new() { ["xsrf"] = xsrf.Groups[1].Value, ["logout"] = "yes" });

        var after = await fleet.Provider.EventsAsync();
        Assert.True(after.BackchannelLogouts == before.BackchannelLogouts + 1, $"no back-channel logout delivered: {after}");
        Assert.Equal(HttpStatusCode.Unauthorized, (await browsers[1].GetAsync("/api/whoami")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await browsers[0].GetAsync("/bff/user")).StatusCode);
    }

    [GeneratedRegex("name=\"xsrf\" value=\"([^\"]+)\"")]
    private static partial Regex XsrfField();
}
