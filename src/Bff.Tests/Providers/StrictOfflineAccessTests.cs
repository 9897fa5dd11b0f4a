using System.Net;
using Bff.Tests.Infrastructure;
using Microsoft.Extensions.Logging;

namespace Bff.Tests.Providers;

/// <summary>
/// oidc-provider grants offline access only with prompt=consent (OpenID Connect Core §11). Without
/// Bff:Oidc:Prompt the sign-in gets no refresh token: the gateway says so at sign-in, naming the keys that fix it,
/// and when the access token runs out the session ends with a log line saying why (not "the provider rejected the
/// refresh token"). With it, see <see cref="NodeOidcProviderTests"/>: every session gets one.
/// </summary>
public sealed class StrictOfflineAccessTests(StrictOfflineAccessTests.NoPromptFleet fleet) : IClassFixture<StrictOfflineAccessTests.NoPromptFleet>
{
    public sealed class NoPromptFleet() : NodeProviderFleet(prompt: null);

    [Fact]
    public async Task without_prompt_consent_the_sign_in_warns_naming_the_keys_and_the_session_ends_saying_no_refresh_token_was_issued()
    {
        var warned = fleet.Logs.NextAsync(e => e.Level == LogLevel.Warning && e.Message.Contains("issued no refresh token at sign-in", StringComparison.Ordinal));
        var browsers = await fleet.SignInEverywhereAsync();

        var warning = await warned;
        Assert.Contains("Bff:Oidc:Prompt=consent", warning.Message, StringComparison.Ordinal);
        Assert.Contains("Bff:Oidc:AuthorizeParameters", warning.Message, StringComparison.Ordinal);
        var session = await fleet.Gateways[0].SessionOfAsync(browsers[0]);
        Assert.Null(session.Tokens.RefreshToken);
        Assert.Equal(HttpStatusCode.OK, (await browsers[1].GetAsync("/api/whoami")).StatusCode);

        var ended = fleet.Logs.NextAsync(e => e.Message.Contains("provider issued no refresh token at sign-in; the session ends", StringComparison.Ordinal));
        fleet.Clock.SetUtcNow(session.Tokens.AccessTokenExpiresAt);
        Assert.Equal(HttpStatusCode.Unauthorized, (await browsers[1].GetAsync("/api/whoami")).StatusCode);
        Assert.DoesNotContain("rejected", (await ended).Message, StringComparison.Ordinal);
    }
}
