using System.Net;
using Bff.Demo.Api;
using Bff.Tests.Endpoints;
using Bff.Tests.Infrastructure;

namespace Bff.Tests.Tokens;

/// <summary>
/// Neither a failing provider nor an API that refuses every token may drive refreshes: after a failed or
/// unhelpful refresh a session backs off, and the token endpoint has a circuit breaker. Requests come every half
/// second of the gateway's (fake) clock; without the back-off each would call the provider.
/// </summary>
public sealed class ProviderLoadTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(500);

    [Fact]
    public async Task a_provider_answering_500_for_six_seconds_gets_a_bounded_number_of_calls_and_every_session_recovers_within_its_backoff()
    {
        const int Sessions = 10;
        var browsers = await SignInAsync(Sessions);
        var latest = DateTimeOffset.MinValue;
        foreach (var browser in browsers)
        {
            var session = await fixture.Gateway.SessionOfAsync(browser);
            latest = session.Tokens.AccessTokenExpiresAt > latest ? session.Tokens.AccessTokenExpiresAt : latest;
        }

        fixture.Clock.SetUtcNow(latest);
        var calls = Volatile.Read(ref fixture.Faults.Requests);
        fixture.Faults.Respond = () => ProviderFaults.Answer(HttpStatusCode.InternalServerError, "{\"error\":\"server_error\"}");
        var retryAfter = new TimeSpan[Sessions];
        for (var elapsed = TimeSpan.Zero; elapsed < TimeSpan.FromSeconds(6); elapsed += Step)
        {
            var responses = await Task.WhenAll(browsers.Select(b => b.GetAsync("/api/whoami")));
            for (var i = 0; i < Sessions; i++)
            {
                await LoginTests.AssertProblemAsync(responses[i], HttpStatusCode.ServiceUnavailable, "refresh_unavailable");
                retryAfter[i] = responses[i].Headers.RetryAfter?.Delta ?? throw new InvalidOperationException("a 503 without Retry-After");
            }

            fixture.Clock.Advance(Step);
        }

        // 12 rounds of 10 requests: one call per request would be 120. The back-off and the breaker allow each
        // session its first call and the breaker a probe per opening.
        var duringOutage = Volatile.Read(ref fixture.Faults.Requests) - calls;
        Assert.InRange(duringOutage, 1, Sessions + 4);

        // The provider is back: each session gets its token at the latest when the back-off it was told ends.
        fixture.Faults.Respond = null;
        var recoveredAt = fixture.Clock.GetUtcNow();
        var pending = Enumerable.Range(0, Sessions).ToList();
        while (pending.Count > 0)
        {
            Assert.True(fixture.Clock.GetUtcNow() - recoveredAt <= pending.Max(i => retryAfter[i]) + Step, "a session did not recover within its back-off");
            var responses = await Task.WhenAll(pending.Select(i => browsers[i].GetAsync("/api/whoami")));
            pending = [.. pending.Where((_, n) => responses[n].StatusCode != HttpStatusCode.OK)];
            fixture.Clock.Advance(Step);
        }

        foreach (var browser in browsers)
        {
            Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/bff/user")).StatusCode);
            browser.Dispose();
        }
    }

    [Fact]
    public async Task an_api_answering_401_to_every_token_gets_a_bounded_number_of_refreshes_and_keeps_the_sessions()
    {
        const int Sessions = 6;
        var rejections = fixture.Provider.ApiServices.GetRequiredService<UpstreamRejections>();
        var browsers = await SignInAsync(Sessions);
        var refreshes = fixture.Provider.TokenLog.RefreshRequests;
        rejections.RejectAll = true;
        try
        {
            // 30 s of requests every half second: 60 per session, each of which would force a refresh.
            for (var elapsed = TimeSpan.Zero; elapsed < TimeSpan.FromSeconds(30); elapsed += Step)
            {
                var responses = await Task.WhenAll(browsers.Select(b => b.GetAsync("/api/whoami")));
                Assert.All(responses, r => Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode));
                fixture.Clock.Advance(Step);
            }
        }
        finally
        {
            rejections.RejectAll = false;
        }

        // Forced refreshes at 0, 2, 6, 14 and 30 s at most (the back-off doubles from 2 s while the 401s go on).
        Assert.InRange(fixture.Provider.TokenLog.RefreshRequests - refreshes, Sessions, Sessions * 5);
        foreach (var browser in browsers)
        {
            Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/api/whoami")).StatusCode);
            browser.Dispose();
        }
    }

    private async Task<BrowserClient[]> SignInAsync(int sessions)
    {
        var browsers = Enumerable.Range(0, sessions).Select(_ => new BrowserClient(fixture.Gateway.Address)).ToArray();
        foreach (var browser in browsers)
        {
            await browser.LoginAsync();
        }

        return browsers;
    }
}
