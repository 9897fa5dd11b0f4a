using Bff.Configuration;
using Bff.Diagnostics;
using Bff.Sessions;
using Bff.Tests.Infrastructure;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Bff.Tests.Sessions;

/// <summary>
/// The session cache's two bounds, on the cache itself over an in-memory store: at most <c>CacheSize</c> copies
/// (the copies used since the last trim kept over those that were not), and none served past
/// <c>CacheMaxAge</c>; each eviction counted by its reason.
/// </summary>
public sealed class SessionCacheBoundsTests : IDisposable
{
    private const int CacheSize = 20;
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private readonly ServiceProvider _meters = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly MeterRecorder _metrics;

    public SessionCacheBoundsTests() => _metrics = new MeterRecorder(_meters);

    [Fact]
    public async Task a_full_cache_drops_copies_not_used_since_its_last_trim_and_stays_within_its_size()
    {
        using var cache = Cache(TimeSpan.FromMinutes(10));
        var store = Store();
        var sessions = await SessionsAsync(store, CacheSize);
        foreach (var key in sessions)
        {
            await cache.GetAsync(key, store, CancellationToken.None);
        }

        var used = sessions.Take(CacheSize / 2).ToArray();
        foreach (var key in used)
        {
            await cache.GetAsync(key, store, CancellationToken.None);
        }

        Assert.Equal(CacheSize / 2, _metrics.Sum("bff.session.cache.hits"));

        // One session more than the cache holds: a trim makes room, and passes over every copy used since.
        await cache.GetAsync((await SessionsAsync(store, 1))[0], store, CancellationToken.None);
        await Eventually.HoldsAsync(() => _metrics.Sum("bff.session.cache.evictions", "reason", "capacity") >= 1, "a capacity eviction", TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(10));
        await Eventually.HoldsAsync(() => Entries() <= CacheSize, "the cache back within its size", TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(10));
        Assert.All(used, key => Assert.True(cache.GetTestAccessor().Holds(key.Hash)));

        // A flood of new sessions, many at once: the cache never settles above its size.
        var flood = await SessionsAsync(store, 10 * CacheSize);
        await Parallel.ForEachAsync(flood, async (key, token) => await cache.GetAsync(key, store, token));
        await Eventually.HoldsAsync(() => Entries() <= CacheSize, "the cache back within its size", TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(10));
        Assert.Equal(0, _metrics.Sum("bff.session.cache.evictions", "reason", "expired"));
    }

    /// <summary>
    /// The maximum age is measured on the process's own clock, not the gateway's (a copy's age says nothing about
    /// the session): the test waits it out.
    /// </summary>
    [Fact]
    public async Task a_copy_is_not_served_past_the_cache_s_maximum_age()
    {
        var maxAge = TimeSpan.FromSeconds(4);
        using var cache = Cache(maxAge);
        var store = Store();
        var key = (await SessionsAsync(store, 1))[0];
        var read = System.Diagnostics.Stopwatch.StartNew();
        await cache.GetAsync(key, store, CancellationToken.None);
        // Served for at least three quarters of the maximum age (3 s): a second read moments later is a hit.
        await cache.GetAsync(key, store, CancellationToken.None);
        Assert.Equal(1, _metrics.Sum("bff.session.cache.hits"));

        await Task.Delay(maxAge - read.Elapsed + TimeSpan.FromMilliseconds(100));
        await cache.GetAsync(key, store, CancellationToken.None);

        Assert.Equal(2, _metrics.Sum("bff.session.cache.misses"));
        Assert.Equal(1, _metrics.Sum("bff.session.cache.evictions", "reason", "expired"));
    }

    public void Dispose()
    {
        _metrics.Dispose();
        _meters.Dispose();
    }

    private SessionCache Cache(TimeSpan maxAge)
    {
        var options = StoreOptions.With(TimeSpan.FromHours(1), TimeSpan.FromHours(8));
        options.Session.CacheSize = CacheSize;
        options.Session.CacheMaxAge = maxAge;
        var cache = new SessionCache(Options.Create(options), _clock, new BffMetrics(_meters.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>()));
        cache.Resume();
        return cache;
    }

    private InMemorySessionStore Store() => new(Options.Create(StoreOptions.With(TimeSpan.FromHours(1), TimeSpan.FromHours(8))), _clock);

    private async Task<SessionKey[]> SessionsAsync(InMemorySessionStore store, int count)
    {
        var keys = Enumerable.Range(0, count).Select(_ => SessionKey.CreateNew()).ToArray();
        var now = _clock.GetUtcNow();
        foreach (var key in keys)
        {
            await store.CreateAsync(key, new SessionRecord
            {
                Version = 1,
                Tokens = new TokenSet("access-1", "refresh-1", "id-1", now.AddMinutes(5)),
                Claims = [new SessionClaim("sub", "alice")],
                CreatedAt = now,
                LastActiveAt = now,
                AbsoluteExpiresAt = now.AddHours(8),
                LogoutId = "logout-id",
            }, CancellationToken.None);
        }

        return keys;
    }

    private double Entries()
    {
        _metrics.ObserveGauges();
        return _metrics.Measurements.Last(m => m.Instrument == "bff.session.cache.entries").Value;
    }
}
