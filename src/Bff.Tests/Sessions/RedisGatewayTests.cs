using System.Net;
using Bff.Tests.Infrastructure;

namespace Bff.Tests.Sessions;

/// <summary>Gateways in Redis mode: sessions outlive a gateway process and are readable by every instance.</summary>
public sealed class RedisGatewayTests(RedisServer redis, ProviderHost provider) : IClassFixture<RedisServer>, IClassFixture<ProviderHost>
{
    [Fact]
    public async Task a_gateway_restart_keeps_redis_sessions()
    {
        var configuration = GatewayHost.ConfigurationFor(provider, redis.Configuration);
        string cookie;
        await using (var first = await GatewayHost.StartAsync(provider, configuration))
        {
            using var browser = new BrowserClient(first.Address);
            await browser.LoginAsync();
            Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/api/whoami")).StatusCode);
            cookie = browser.GatewayCookie("__Host-bff")!.Value;
            await first.StopAsync();
        }

        await using var restarted = await GatewayHost.StartAsync(provider, configuration);
        using var returning = new BrowserClient(restarted.Address);
        returning.SetGatewayCookie("__Host-bff", cookie);

        Assert.Equal(HttpStatusCode.OK, (await returning.GetAsync("/api/whoami")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await returning.GetAsync("/bff/user")).StatusCode);
    }

    [Fact]
    public async Task a_login_completed_on_one_instance_works_on_another_and_no_token_is_stored_in_clear()
    {
        var configuration = GatewayHost.ConfigurationFor(provider, redis.Configuration);
        await using var a = await GatewayHost.StartAsync(provider, configuration);
        await using var b = await GatewayHost.StartAsync(provider, configuration);
        using var browserA = new BrowserClient(a.Address);
        await browserA.LoginAsync();
        var session = await a.SessionOfAsync(browserA);
        using var browserB = new BrowserClient(b.Address);
        browserB.SetGatewayCookie("__Host-bff", browserA.GatewayCookie("__Host-bff")!.Value);

        Assert.Equal(HttpStatusCode.OK, (await browserB.GetAsync("/api/whoami")).StatusCode);

        GatewayInspection.AssertNoTokenIn(await redis.DumpAsync(), session.Tokens);
    }
}
