using Bff.Configuration;
using Bff.Sessions;
using Bff.Sweeping;
using Microsoft.Extensions.Options;

namespace Bff.Tests.Infrastructure;

/// <summary>Reads what a gateway holds server-side, so tests can compare it with what the browser saw.</summary>
internal static class GatewayInspection
{
    public static async Task<SessionRecord> SessionOfAsync(this GatewayHost gateway, BrowserClient browser) =>
        await gateway.Services.GetRequiredService<ISessionStore>().GetAsync(browser.SessionKeyOf(), CancellationToken.None)
            ?? throw new InvalidOperationException("The session is not in the store.");

    /// <summary>The session key the browser's cookie carries.</summary>
    public static SessionKey SessionKeyOf(this BrowserClient browser)
    {
        var cookie = browser.GatewayCookie("__Host-bff") ?? throw new InvalidOperationException("The browser has no session cookie.");
        Assert.True(SessionKey.TryParse(cookie.Value, out var key));
        return key;
    }

    /// <summary>The hash of the browser's session id: how the gateway names it in Redis, logs and its cache.</summary>
    public static string SessionHash(this BrowserClient browser) => browser.SessionKeyOf().Hash;

    /// <summary>Waits (bounded) until the gateway has noticed that Redis is gone and stopped using cached sessions.</summary>
    public static Task SessionCacheSuspendedAsync(this GatewayHost gateway) =>
        UntilAsync(() => !gateway.Services.GetRequiredService<SessionCache>().IsLive, "the session cache to be suspended");

    /// <summary>Waits (bounded) until the gateway holds no copy of the session: a change elsewhere has reached it.</summary>
    public static Task SessionCacheEvictedAsync(this GatewayHost gateway, string sessionHash) =>
        UntilAsync(() => !gateway.Services.GetRequiredService<SessionCache>().GetTestAccessor().Holds(sessionHash), "the cached session to be evicted");

    private static Task UntilAsync(Func<bool> condition, string what) =>
        Eventually.HoldsAsync(condition, what, TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(20));

    public static SessionSweeper Sweeper(this GatewayHost gateway) =>
        gateway.Services.GetServices<IHostedService>().OfType<SessionSweeper>().Single();

    /// <summary>The first sweeper tick at or after <paramref name="time"/> on the gateway's (fake) clock.</summary>
    public static async Task<DateTimeOffset> SweepTickAtOrAfterAsync(this GatewayHost gateway, DateTimeOffset time)
    {
        var origin = await gateway.Sweeper().GetTestAccessor().TicksFrom.WaitAsync(TimeSpan.FromSeconds(60));
        var interval = gateway.Services.GetRequiredService<IOptions<BffOptions>>().Value.Sweeper.Interval;
        var ticks = Math.Max(0, (time - origin).Ticks + interval.Ticks - 1) / interval.Ticks;
        return origin + TimeSpan.FromTicks(ticks * interval.Ticks);
    }

    /// <summary>Waits until a sweep that started at or after <paramref name="since"/> (on the gateway's clock) has finished.</summary>
    public static async Task SweptSinceAsync(this GatewayHost gateway, DateTimeOffset since)
    {
        var sweeper = gateway.Sweeper().GetTestAccessor();
        while (true)
        {
            var next = sweeper.NextSweep;
            if (sweeper.LastSweepStartedAt >= since)
            {
                return;
            }

            await next.WaitAsync(TimeSpan.FromSeconds(60));
        }
    }

    /// <summary>Asserts that no response the browser received contains any of the session's tokens.</summary>
    public static void AssertNoTokenIn(IEnumerable<string> responses, params TokenSet[] tokenSets)
    {
        var secrets = tokenSets.SelectMany(t => new[] { t.AccessToken, t.RefreshToken, t.IdToken }).OfType<string>().ToArray();
        Assert.NotEmpty(secrets);
        foreach (var response in responses)
        {
            foreach (var secret in secrets)
            {
                Assert.DoesNotContain(secret, response, StringComparison.Ordinal);
                // A JWT's signature alone would be as telling as the whole token.
                Assert.DoesNotContain(secret.Split('.')[^1], response, StringComparison.Ordinal);
            }
        }
    }
}
