using System.Net;
using System.Security.Cryptography;
using Bff.Tests.Infrastructure;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Bff.Tests.Endpoints;

/// <summary>OIDC Back-Channel Logout 1.0: a valid logout token received by one instance ends the session on all of them.</summary>
public sealed class BackchannelLogoutTests(TwoInstanceFleet fleet) : IClassFixture<TwoInstanceFleet>
{
    private const string LogoutEvent = "http://schemas.openid.net/event/backchannel-logout";

    [Fact]
    public async Task a_logout_token_received_by_one_instance_ends_the_session_on_another()
    {
        var browsers = await fleet.SignInEverywhereAsync();
        Assert.Equal(HttpStatusCode.OK, (await browsers[1].GetAsync("/api/whoami")).StatusCode);

        var response = await PostLogoutTokenAsync(fleet.Gateways[0], LogoutToken());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        // The second instance had the session cached (the request above): the end reaches it over pub/sub.
        await fleet.Gateways[1].SessionCacheEvictedAsync(browsers[1].SessionHash());
        await LoginTests.AssertProblemAsync(await browsers[1].GetAsync("/api/whoami"), HttpStatusCode.Unauthorized, "session_ended");
        await LoginTests.AssertProblemAsync(await browsers[0].GetAsync("/bff/user"), HttpStatusCode.Unauthorized, "session_ended");
    }

    [Fact]
    public async Task a_replayed_logout_token_is_refused()
    {
        await fleet.SignInEverywhereAsync();
        var token = LogoutToken();

        Assert.Equal(HttpStatusCode.OK, (await PostLogoutTokenAsync(fleet.Gateways[0], token)).StatusCode);

        Assert.Equal(HttpStatusCode.BadRequest, (await PostLogoutTokenAsync(fleet.Gateways[1], token)).StatusCode);
    }

    public static TheoryData<string> InvalidTokens => new()
    {
        "nonce", "wrong-audience", "wrong-issuer", "foreign-key", "no-events", "no-subject", "no-jti", "expired", "garbage",
    };

    [Theory]
    [MemberData(nameof(InvalidTokens))]
    public async Task an_invalid_logout_token_is_refused_and_the_session_stays(string defect)
    {
        var browsers = await fleet.SignInEverywhereAsync();

        var response = await PostLogoutTokenAsync(fleet.Gateways[0], defect switch
        {
            "nonce" => LogoutToken(claims => claims["nonce"] = "n"),
            "wrong-audience" => LogoutToken(audience: "another-client"),
            "wrong-issuer" => LogoutToken(issuer: "https://evil.example/"),
            "foreign-key" => LogoutToken(key: new SigningCredentials(new RsaSecurityKey(RSA.Create(2048)), SecurityAlgorithms.RsaSha256)),
            "no-events" => LogoutToken(claims => claims.Remove("events")),
            "no-subject" => LogoutToken(claims => claims.Remove("sub")),
            "no-jti" => LogoutToken(claims => claims.Remove("jti")),
            "expired" => LogoutToken(expires: DateTime.UtcNow.AddMinutes(-10)),
            _ => "not.a.jwt",
        });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browsers[1].GetAsync("/api/whoami")).StatusCode);
    }

    private string LogoutToken(
        Action<Dictionary<string, object>>? edit = null,
        string? audience = null,
        string? issuer = null,
        SigningCredentials? key = null,
        DateTime? expires = null)
    {
        var claims = new Dictionary<string, object>
        {
            ["sub"] = ProviderHost.User,
            ["jti"] = Guid.NewGuid().ToString(),
            ["events"] = new Dictionary<string, object> { [LogoutEvent] = new Dictionary<string, object>() },
        };
        edit?.Invoke(claims);
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer ?? fleet.Provider.Authority,
            Audience = audience ?? fleet.Provider.Settings.ClientId,
            IssuedAt = (expires ?? DateTime.UtcNow.AddMinutes(2)).AddMinutes(-2),
            NotBefore = (expires ?? DateTime.UtcNow.AddMinutes(2)).AddMinutes(-2),
            Expires = expires ?? DateTime.UtcNow.AddMinutes(2),
            Claims = claims,
            SigningCredentials = key ?? fleet.Provider.SigningCredentials,
            TokenType = "logout+jwt",
        });
    }

    private static async Task<HttpResponseMessage> PostLogoutTokenAsync(GatewayHost gateway, string token)
    {
        using var http = new HttpClient();
        return await http.PostAsync($"{gateway.Address}/bff/backchannel-logout",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["logout_token"] = token }));
    }
}
