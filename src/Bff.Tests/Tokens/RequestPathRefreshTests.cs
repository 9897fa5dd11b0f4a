using System.Net;
using Bff.Sessions;
using Bff.Tests.Endpoints;
using Bff.Tests.Infrastructure;
using Bff.Tokens;

namespace Bff.Tests.Tokens;

/// <summary>
/// Refresh on demand in one gateway process against the strict provider (reuse leeway 0): the access token
/// is refreshed before forwarding, concurrent requests share one refresh, and only the provider's
/// invalid_grant ends a session (DESIGN invariants 1, 2 and 5).
/// </summary>
public sealed class RequestPathRefreshTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>, IDisposable
{
    private readonly BrowserClient _browser = new(fixture.Gateway.Address);

    public void Dispose()
    {
        fixture.Faults.Respond = null;
        fixture.Faults.Stall = false;
        fixture.Faults.HoldAnswer = null;
        _browser.Dispose();
    }

    [Fact]
    public async Task an_expiring_access_token_is_refreshed_before_forwarding()
    {
        await _browser.LoginAsync();
        var before = await fixture.Gateway.SessionOfAsync(_browser);
        var refreshes = fixture.Provider.TokenLog.RefreshSucceeded;
        await fixture.MoveClockToAsync(_browser, beforeExpiry: TimeSpan.FromSeconds(10));

        var response = await _browser.GetAsync("/api/whoami");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(refreshes + 1, fixture.Provider.TokenLog.RefreshSucceeded);
        var after = await fixture.Gateway.SessionOfAsync(_browser);
        Assert.Equal(before.Version + 1, after.Version);
        Assert.NotEqual(before.Tokens.AccessToken, after.Tokens.AccessToken);
        Assert.NotEqual(before.Tokens.RefreshToken, after.Tokens.RefreshToken);
        Assert.Equal($"Bearer {after.Tokens.AccessToken}", fixture.Provider.Upstream.Requests.Last().Authorization);
    }

    [Fact]
    public async Task a_token_outside_the_refresh_window_is_used_without_calling_the_provider()
    {
        await _browser.LoginAsync();
        var requests = fixture.Provider.TokenLog.RefreshRequests;

        Assert.Equal(HttpStatusCode.OK, (await _browser.GetAsync("/api/whoami")).StatusCode);

        Assert.Equal(requests, fixture.Provider.TokenLog.RefreshRequests);
    }

    [Fact]
    public async Task fifty_concurrent_requests_at_expiry_cause_exactly_one_refresh_and_all_succeed()
    {
        await _browser.LoginAsync();
        var requests = fixture.Provider.TokenLog.RefreshRequests;
        var reuses = fixture.Provider.TokenLog.Reuses;
        await fixture.MoveClockToAsync(_browser, beforeExpiry: TimeSpan.Zero);

        var responses = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => _browser.GetAsync("/api/whoami")));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(requests + 1, fixture.Provider.TokenLog.RefreshRequests);
        Assert.Equal(reuses, fixture.Provider.TokenLog.Reuses);
        var session = await fixture.Gateway.SessionOfAsync(_browser);
        Assert.Equal(2, session.Version);
    }

    [Fact]
    public async Task invalid_grant_from_the_provider_ends_the_session()
    {
        await _browser.LoginAsync();
        var cookie = _browser.GatewayCookie("__Host-bff")!.Value;
        await fixture.Provider.RevokeUserTokensAsync();
        await fixture.MoveClockToAsync(_browser, beforeExpiry: TimeSpan.Zero);

        var response = await _browser.GetAsync("/api/whoami");

        await LoginTests.AssertProblemAsync(response, HttpStatusCode.Unauthorized, "session_ended");
        Assert.Null(_browser.GatewayCookie("__Host-bff"));
        Assert.True(SessionKey.TryParse(cookie, out var key));
        Assert.Null(await fixture.Gateway.Services.GetRequiredService<ISessionStore>().GetAsync(key, CancellationToken.None));
    }

    [Fact]
    public async Task a_provider_5xx_keeps_the_session_using_the_old_token_while_valid_then_503()
    {
        await _browser.LoginAsync();
        fixture.Faults.Respond = () => ProviderFaults.Answer(HttpStatusCode.InternalServerError, "{\"error\":\"server_error\"}");

        await fixture.MoveClockToAsync(_browser, beforeExpiry: TimeSpan.FromSeconds(10));
        Assert.Equal(HttpStatusCode.OK, (await _browser.GetAsync("/api/whoami")).StatusCode);

        await fixture.MoveClockToAsync(_browser, beforeExpiry: TimeSpan.Zero);
        var unavailable = await _browser.GetAsync("/api/whoami");
        await LoginTests.AssertProblemAsync(unavailable, HttpStatusCode.ServiceUnavailable, "refresh_unavailable");
        Assert.NotNull(unavailable.Headers.RetryAfter);

        // The session backs off (2 s after the first failure, 4 s after this second one in a row): until it ends no
        // request calls the provider, and Retry-After says how long; once it has passed, the next request recovers.
        fixture.Faults.Respond = null;
        var calls = fixture.Provider.TokenLog.RefreshRequests;
        var heldBack = await _browser.GetAsync("/api/whoami");
        await LoginTests.AssertProblemAsync(heldBack, HttpStatusCode.ServiceUnavailable, "refresh_unavailable");
        Assert.Equal(TimeSpan.FromSeconds(4), heldBack.Headers.RetryAfter?.Delta);
        Assert.Equal(calls, fixture.Provider.TokenLog.RefreshRequests);

        fixture.Clock.Advance(TimeSpan.FromSeconds(4));
        Assert.Equal(HttpStatusCode.OK, (await _browser.GetAsync("/api/whoami")).StatusCode);
        Assert.Equal(2, (await fixture.Gateway.SessionOfAsync(_browser)).Version);
    }

    [Fact]
    public async Task a_provider_that_is_down_keeps_the_session()
    {
        await _browser.LoginAsync();
        await fixture.MoveClockToAsync(_browser, beforeExpiry: TimeSpan.Zero);
        fixture.Faults.Respond = () => throw new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused");

        await LoginTests.AssertProblemAsync(await _browser.GetAsync("/api/whoami"), HttpStatusCode.ServiceUnavailable, "refresh_unavailable");

        fixture.Faults.Respond = null;
        fixture.PassFailureBackoff();
        Assert.Equal(HttpStatusCode.OK, (await _browser.GetAsync("/api/whoami")).StatusCode);
    }

    [Fact]
    public async Task a_provider_that_stalls_past_the_idp_timeout_keeps_the_session()
    {
        await _browser.LoginAsync();
        await fixture.MoveClockToAsync(_browser, beforeExpiry: TimeSpan.Zero);
        fixture.Faults.Stall = true;
        var arrived = fixture.Faults.NextRequest;

        var pending = _browser.GetAsync("/api/whoami");
        await arrived;
        var response = await PastTheIdpTimeoutAsync(pending);

        await LoginTests.AssertProblemAsync(response, HttpStatusCode.ServiceUnavailable, "refresh_unavailable");
        fixture.Faults.Stall = false;
        // The call itself goes on until Bff:Tokens:IdpCallLimit (30 s by default), then a new one may start.
        fixture.Clock.Advance(TimeSpan.FromSeconds(30));
        await Eventually.HoldsAsync(() => fixture.Gateway.Services.GetRequiredService<TokenRefreshCoordinator>().InFlightCount == 0,
            "the stalled provider call to be cut off", TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(10));
        fixture.PassFailureBackoff();
        Assert.Equal(HttpStatusCode.OK, (await _browser.GetAsync("/api/whoami")).StatusCode);
    }

    /// <summary>
    /// The provider rotates the refresh token but answers after the requests waiting for it gave up. The call
    /// goes on and stores the answer: the strict provider never sees the spent token again, so the session
    /// stays. (Cut off at IdpTimeout, the rotated token was lost and the next refresh reused the old one.)
    /// </summary>
    [Fact]
    public async Task a_provider_that_answers_after_the_idp_timeout_has_its_rotation_stored_and_the_session_kept()
    {
        await _browser.LoginAsync();
        var before = await fixture.Gateway.SessionOfAsync(_browser);
        var rotated = fixture.Provider.TokenLog.RefreshSucceeded;
        var reuses = fixture.Provider.TokenLog.Reuses;

        var (pending, answer) = await RequestWhileTheProviderHoldsItsAnswerAsync();
        var response = await PastTheIdpTimeoutAsync(pending);

        await LoginTests.AssertProblemAsync(response, HttpStatusCode.ServiceUnavailable, "refresh_unavailable");
        answer.SetResult();
        await Eventually.HoldsAsync(async () => (await fixture.Gateway.SessionOfAsync(_browser)).Version == before.Version + 1,
            "the late answer to be stored", TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(10));
        Assert.Equal(HttpStatusCode.OK, (await _browser.GetAsync("/api/whoami")).StatusCode);
        Assert.Equal(rotated + 1, fixture.Provider.TokenLog.RefreshSucceeded);
        Assert.Equal(reuses, fixture.Provider.TokenLog.Reuses);
    }

    /// <summary>
    /// The session is logged out while its refresh is at the provider: the fenced write loses, and the request
    /// reports what the store holds now (the session ended), never the tokens it could not store.
    /// </summary>
    [Fact]
    public async Task a_refresh_whose_session_ended_meanwhile_loses_its_write_and_reports_the_end()
    {
        await _browser.LoginAsync();
        var session = await fixture.Gateway.SessionOfAsync(_browser);
        var key = _browser.SessionKeyOf();

        var (pending, answer) = await RequestWhileTheProviderHoldsItsAnswerAsync();
        using (var otherTab = new BrowserClient(fixture.Gateway.Address))
        {
            otherTab.SetGatewayCookie("__Host-bff", _browser.GatewayCookie("__Host-bff")!.Value);
            await otherTab.GetAsync($"/bff/logout?sid={session.LogoutId}", csrf: false);
        }

        answer.SetResult();

        await LoginTests.AssertProblemAsync(await pending, HttpStatusCode.Unauthorized, "session_ended");
        Assert.Null(await fixture.Gateway.Services.GetRequiredService<ISessionStore>().GetAsync(key, CancellationToken.None));
    }

    /// <summary>
    /// Sends a request at the session's expiry and returns once the provider has handled its refresh (the
    /// strict provider has rotated the token), while the answer is held back until <c>Answer</c> completes.
    /// </summary>
    private async Task<(Task<HttpResponseMessage> Pending, TaskCompletionSource Answer)> RequestWhileTheProviderHoldsItsAnswerAsync()
    {
        var rotated = fixture.Provider.TokenLog.RefreshSucceeded;
        await fixture.MoveClockToAsync(_browser, beforeExpiry: TimeSpan.Zero);
        var answer = new TaskCompletionSource();
        fixture.Faults.HoldAnswer = answer.Task;

        var pending = _browser.GetAsync("/api/whoami");
        await Eventually.HoldsAsync(() => fixture.Provider.TokenLog.RefreshSucceeded > rotated, "the provider to rotate the token",
            TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(10));
        return (pending, answer);
    }

    [Theory]
    [InlineData("<html><body>Bad gateway</body></html>", "text/html")]
    [InlineData("{\"access_token\":\"abc\",\"expires_in\":", "application/json")]
    [InlineData("{\"token_type\":\"Bearer\",\"expires_in\":300}", "application/json")]
    public async Task a_garbage_token_response_keeps_the_session(string body, string mediaType)
    {
        await _browser.LoginAsync();
        await fixture.MoveClockToAsync(_browser, beforeExpiry: TimeSpan.Zero);
        fixture.Faults.Respond = () => ProviderFaults.Answer(HttpStatusCode.OK, body, mediaType);

        await LoginTests.AssertProblemAsync(await _browser.GetAsync("/api/whoami"), HttpStatusCode.ServiceUnavailable, "refresh_unavailable");

        fixture.Faults.Respond = null;
        fixture.PassFailureBackoff();
        Assert.Equal(HttpStatusCode.OK, (await _browser.GetAsync("/api/whoami")).StatusCode);
    }

    /// <summary>
    /// Moves the clock past the request's IdpTimeout (5 s) and returns its answer. The provider has the call when
    /// this starts, but on a loaded machine the request may not have started its wait yet: a wait that starts
    /// after the clock moved would time out only at the next move. So the clock moves a second at a time until
    /// the request answers.
    /// </summary>
    private async Task<HttpResponseMessage> PastTheIdpTimeoutAsync(Task<HttpResponseMessage> pending)
    {
        fixture.Clock.Advance(TimeSpan.FromSeconds(5));
        for (var step = 0; step < 60 && !pending.IsCompleted; step++)
        {
            await Task.WhenAny(pending, Task.Delay(TimeSpan.FromMilliseconds(500)));
            if (!pending.IsCompleted)
            {
                fixture.Clock.Advance(TimeSpan.FromSeconds(1));
            }
        }

        return await pending;
    }
}
