using System.Net;
using Bff.Redis;
using Bff.Sessions;
using Bff.Web;
using StackExchange.Redis;
using Bff.Tests.Endpoints;
using Bff.Tests.Infrastructure;

namespace Bff.Tests.Sessions;

/// <summary>
/// The in-process session cache of Redis mode, on two instances sharing one real Redis: a cached session
/// costs no Redis read; a refresh or a logout on one instance evicts the other's copy, which then serves the
/// new token or refuses the ended session; copies hold no refresh or id token. (That nothing is served from
/// the cache while Redis is unreachable is <c>RedisOutageTests</c>' case.)
/// </summary>
public sealed class SessionCacheTests(TwoInstanceFleet fleet) : IClassFixture<TwoInstanceFleet>
{
    [Fact]
    public async Task a_cached_session_costs_no_redis_read()
    {
        var browsers = await fleet.SignInEverywhereAsync();
        Assert.Equal(HttpStatusCode.OK, (await browsers[1].GetAsync("/api/whoami")).StatusCode);
        var reads = await SessionReadsAsync();

        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await browsers[1].GetAsync("/api/whoami")).StatusCode);
        }

        Assert.Equal(reads, await SessionReadsAsync());
    }

    [Fact]
    public async Task a_refresh_on_one_instance_evicts_the_copy_on_the_other_which_then_uses_the_new_token()
    {
        var browsers = await fleet.SignInEverywhereAsync();
        Assert.Equal(HttpStatusCode.OK, (await browsers[1].GetAsync("/api/whoami")).StatusCode);
        Assert.True(fleet.Gateways[1].Services.GetRequiredService<SessionCache>().GetTestAccessor().Holds(browsers[1].SessionHash()));
        await fleet.MoveClockToExpiryAsync(browsers.Take(1));

        Assert.Equal(HttpStatusCode.OK, (await browsers[0].GetAsync("/api/whoami")).StatusCode);
        await fleet.Gateways[1].SessionCacheEvictedAsync(browsers[1].SessionHash());
        var refreshes = fleet.Provider.TokenLog.RefreshRequests;
        var refreshed = await fleet.Gateways[0].SessionOfAsync(browsers[0]);

        Assert.Equal(HttpStatusCode.OK, (await browsers[1].GetAsync("/api/whoami")).StatusCode);
        Assert.Equal($"Bearer {refreshed.Tokens.AccessToken}", fleet.Provider.Upstream.Requests.Last().Authorization);
        Assert.Equal(refreshes, fleet.Provider.TokenLog.RefreshRequests);
    }

    [Fact]
    public async Task a_logout_on_one_instance_ends_the_session_cached_on_the_other_and_revokes_the_current_refresh_token()
    {
        var browsers = await fleet.SignInEverywhereAsync();
        Assert.Equal(HttpStatusCode.OK, (await browsers[0].GetAsync("/api/whoami")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browsers[1].GetAsync("/api/whoami")).StatusCode);
        var session = await fleet.Gateways[0].SessionOfAsync(browsers[0]);

        await browsers[0].GetAsync($"/bff/logout?sid={session.LogoutId}", csrf: false);
        await fleet.Gateways[1].SessionCacheEvictedAsync(browsers[1].SessionHash());

        await LoginTests.AssertProblemAsync(await browsers[1].GetAsync("/api/whoami"), HttpStatusCode.Unauthorized, "session_ended");
        Assert.Equal("invalid_grant", await ProviderCalls.RefreshAsync(fleet.Provider, session.Tokens.RefreshToken!));
    }

    [Fact]
    public async Task the_cache_holds_no_refresh_or_id_token()
    {
        var browsers = await fleet.SignInEverywhereAsync();
        Assert.Equal(HttpStatusCode.OK, (await browsers[1].GetAsync("/api/whoami")).StatusCode);
        var stored = await fleet.Gateways[1].SessionOfAsync(browsers[1]);
        Assert.NotNull(stored.Tokens.RefreshToken);
        var cache = fleet.Gateways[1].Services.GetRequiredService<SessionCache>();
        Assert.True(cache.GetTestAccessor().Holds(browsers[1].SessionHash()));

        var copy = await cache.GetAsync(browsers[1].SessionKeyOf(), fleet.Gateways[1].Services.GetRequiredService<ISessionStore>(), CancellationToken.None);

        Assert.Equal(stored.Tokens.AccessToken, copy!.Tokens.AccessToken);
        Assert.Null(copy.Tokens.RefreshToken);
        Assert.Null(copy.Tokens.IdToken);
    }

    /// <summary>
    /// A subscription can be lost with no connection event (a client bug, a node that forgot it): each instance
    /// probes its channels, finds the one that no longer delivers, stops caching, subscribes again and caches
    /// again once its probe comes back. Until then a copy is never served stale.
    /// </summary>
    [Fact]
    public async Task a_subscription_lost_without_a_connection_event_is_found_by_the_probe_and_renewed()
    {
        var browsers = await fleet.SignInEverywhereAsync();
        var other = fleet.Gateways[1].Services;
        var hash = browsers[1].SessionHash();
        Assert.Equal(HttpStatusCode.OK, (await browsers[1].GetAsync("/api/whoami")).StatusCode);
        Assert.True(other.GetRequiredService<SessionCache>().GetTestAccessor().Holds(hash));

        var redis = other.GetRequiredService<IConnectionMultiplexer>();
        foreach (var channel in other.GetRequiredService<RedisKeys>().SessionChangeChannel.All(sharded: false))
        {
            await redis.GetSubscriber().UnsubscribeAsync(channel);
        }

        // Within a probe interval and a check: the copy is cached again and a change on the first instance evicts it.
        var changes = fleet.Gateways[0].Services.GetRequiredService<ISessionChangeFeed>();
        await Eventually.HoldsAsync(async () =>
        {
            if ((await browsers[1].GetAsync("/api/whoami")).StatusCode != HttpStatusCode.OK || !other.GetRequiredService<SessionCache>().GetTestAccessor().Holds(hash))
            {
                return false;
            }

            await changes.PublishAsync(hash);
            var evicted = DateTime.UtcNow + TimeSpan.FromSeconds(1);
            while (other.GetRequiredService<SessionCache>().GetTestAccessor().Holds(hash) && DateTime.UtcNow < evicted)
            {
                await Task.Delay(20);
            }

            return !other.GetRequiredService<SessionCache>().GetTestAccessor().Holds(hash) && other.GetRequiredService<SessionCache>().IsLive;
        }, "the change channel to deliver again", FleetChannel.ProbeInterval * 3, TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public async Task an_idle_timeout_touch_on_one_instance_leaves_the_copy_on_the_other_in_use()
    {
        var browsers = await fleet.SignInEverywhereAsync();
        Assert.Equal(HttpStatusCode.OK, (await browsers[1].GetAsync("/api/whoami")).StatusCode);
        var touchesBefore = (await fleet.Gateways[0].SessionOfAsync(browsers[0])).LastActiveAt;

        // One touch interval later (4.8 minutes at the default idle timeout) the first instance slides the session.
        // (/bff/user: a request that reads the session but needs no token, whose refresh would evict the copies.)
        fleet.Clock.Advance(SessionResolver.TouchIntervalFor(TimeSpan.FromHours(8)));
        Assert.Equal(HttpStatusCode.OK, (await browsers[0].GetAsync("/bff/user")).StatusCode);
        // The touch is written in the background.
        await Eventually.HoldsAsync(async () => (await fleet.Gateways[0].SessionOfAsync(browsers[0])).LastActiveAt > touchesBefore,
            "the touch to be written", TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(20));

        // Nothing was announced: the other instance still holds its copy (a touch evicted it before).
        Assert.True(fleet.Gateways[1].Services.GetRequiredService<SessionCache>().GetTestAccessor().Holds(browsers[1].SessionHash()));
    }

    /// <summary>
    /// The instance that touched a session slides its own copy (in place): otherwise it would touch again on every
    /// request until the copy's end, and one idle timeout after the read take the copy for expired and read Redis.
    /// </summary>
    [Fact]
    public async Task an_idle_timeout_touch_slides_the_touching_instance_s_own_copy()
    {
        var browsers = await fleet.SignInEverywhereAsync();
        var gateway = fleet.Gateways[0].Services;
        Assert.Equal(HttpStatusCode.OK, (await browsers[0].GetAsync("/bff/user")).StatusCode);
        Assert.True(gateway.GetRequiredService<SessionCache>().GetTestAccessor().Holds(browsers[0].SessionHash()));

        fleet.Clock.Advance(SessionResolver.TouchIntervalFor(TimeSpan.FromHours(8)));
        var touchedAt = fleet.Clock.GetUtcNow();
        Assert.Equal(HttpStatusCode.OK, (await browsers[0].GetAsync("/bff/user")).StatusCode);
        // The touch is written in the background (to the millisecond; its script's HMGET would count as a read, and
        // it must not land in the next test): wait for it.
        await Eventually.HoldsAsync(async () => (await fleet.Gateways[0].SessionOfAsync(browsers[0])).LastActiveAt.ToUnixTimeMilliseconds() == touchedAt.ToUnixTimeMilliseconds(),
            "the touch to be written", TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(20));
        // Counted by this cache, not by Redis: the fleet's other work (a sweep) may read Redis meanwhile.
        using var metrics = new MeterRecorder(gateway);

        var copy = await gateway.GetRequiredService<SessionCache>().GetAsync(browsers[0].SessionKeyOf(), gateway.GetRequiredService<ISessionStore>(), CancellationToken.None);
        Assert.Equal(touchedAt, copy!.LastActiveAt);
        Assert.Equal(0, metrics.Sum("bff.session.cache.misses"));
        Assert.Equal(1, metrics.Sum("bff.session.cache.hits"));
    }

    [Fact]
    public async Task the_cache_counts_hits_misses_and_evictions_so_an_operator_can_size_it()
    {
        var browsers = await fleet.SignInEverywhereAsync();
        var other = fleet.Gateways[1];
        using var metrics = new MeterRecorder(other.Services);

        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await browsers[1].GetAsync("/api/whoami")).StatusCode);
        }

        Assert.Equal(1, metrics.Sum("bff.session.cache.misses"));
        Assert.Equal(3, metrics.Sum("bff.session.cache.hits"));
        metrics.ObserveGauges();
        Assert.Contains(metrics.Measurements, m => m.Instrument == "bff.session.cache.entries" && m.Value >= 1);

        var logout = new HttpRequestMessage(HttpMethod.Post, "/bff/logout");
        logout.Headers.Add("X-CSRF", "1");
        await browsers[0].SendAsync(logout);
        await other.SessionCacheEvictedAsync(browsers[1].SessionHash());
        // Eviction callbacks run on the thread pool, after the copy is gone.
        await Eventually.HoldsAsync(() => metrics.Sum("bff.session.cache.evictions", "reason", "changed") >= 1, "the eviction to be counted", TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(20));
    }

    /// <summary>HMGET calls served by Redis so far: the session store's only read.</summary>
    private async Task<long> SessionReadsAsync()
    {
        var stats = await fleet.Redis.Connection.GetServers()[0].InfoRawAsync("commandstats") ?? "";
        var line = stats.Split('\n').FirstOrDefault(l => l.StartsWith("cmdstat_hmget:", StringComparison.Ordinal));
        return line is null ? 0 : long.Parse(line.Split("calls=")[1].Split(',')[0], System.Globalization.CultureInfo.InvariantCulture);
    }
}
