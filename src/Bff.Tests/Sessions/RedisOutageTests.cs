using System.Net;
using Bff.Tests.Endpoints;
using Bff.Tests.Infrastructure;

namespace Bff.Tests.Sessions;

/// <summary>
/// Redis stops and comes back (with persistence): requests fail fast with 503, readiness fails, and afterwards
/// every session is still there. A Redis outage never logs anyone out (DESIGN invariant 5).
/// </summary>
public sealed class RedisOutageTests(ProviderHost provider) : IClassFixture<ProviderHost>, IAsyncLifetime
{
    private readonly RedisServer _redis = new() { Persistent = true };

    public Task InitializeAsync() => _redis.InitializeAsync();

    public Task DisposeAsync() => _redis.DisposeAsync();

    [Fact]
    public async Task a_ten_second_redis_outage_answers_503_fast_and_loses_no_session()
    {
        await using var gateway = await GatewayHost.StartAsync(provider, GatewayHost.ConfigurationFor(provider, _redis.Configuration));
        var browsers = Enumerable.Range(0, 5).Select(_ => new BrowserClient(gateway.Address)).ToArray();
        foreach (var browser in browsers)
        {
            await browser.LoginAsync();
        }

        using var probe = new BrowserClient(gateway.Address);
        Assert.Equal(HttpStatusCode.OK, (await probe.GetAsync("/readyz", csrf: false)).StatusCode);

        await _redis.StopAsync();
        // Sessions read before the outage may be cached; the cache is bypassed once the multiplexer has seen the
        // connection drop (as every other instance's would be), which is the event to wait for.
        await gateway.SessionCacheSuspendedAsync();

        var started = DateTime.UtcNow;
        foreach (var browser in browsers)
        {
            await LoginTests.AssertProblemAsync(await browser.GetAsync("/api/whoami"), HttpStatusCode.ServiceUnavailable, "refresh_unavailable");
        }

        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(5), "requests during the outage must fail fast");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await probe.GetAsync("/readyz", csrf: false)).StatusCode);

        // The scenario is a 10-second outage; the wait is part of it, not a synchronisation.
        var outage = TimeSpan.FromSeconds(10) - (DateTime.UtcNow - started);
        if (outage > TimeSpan.Zero)
        {
            await Task.Delay(outage);
        }

        await _redis.StartAsync();
        await WaitUntilReadyAsync(probe);

        foreach (var browser in browsers)
        {
            Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/api/whoami")).StatusCode);
            Assert.NotNull(browser.GatewayCookie("__Host-bff"));
            browser.Dispose();
        }
    }

    /// <summary>The multiplexer reconnects on its own schedule; readiness is the event to wait for.</summary>
    private static async Task WaitUntilReadyAsync(BrowserClient probe)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while ((await probe.GetAsync("/readyz", csrf: false)).StatusCode != HttpStatusCode.OK)
        {
            Assert.True(DateTime.UtcNow < deadline, "the gateway did not become ready after Redis came back");
            await Task.Delay(200);
        }
    }
}
