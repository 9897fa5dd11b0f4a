using Bff.Configuration;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace Bff.Sessions;

/// <summary>
/// Decrypted copies of recently used sessions, so that a proxied request in Redis mode costs no Redis round
/// trip and no decryption. What keeps it correct:
/// <list type="bullet">
/// <item>Only the request path's session lookup reads it. Every refresh decision re-reads Redis under the
/// lock, and writes stay fenced on the version (invariants 1-3): a stale copy can at worst offer an access
/// token that was current moments ago, or send a request to the coordinator, which then finds the newer one.</item>
/// <item>Every session write on any instance (refresh, touch, end) evicts the copy on every instance
/// (<see cref="ISessionChangeFeed"/>), so logout everywhere still takes effect at once.</item>
/// <item>A copy read from Redis is kept only if no eviction arrived while it was being read.</item>
/// <item>Copies are used only while evictions can arrive: when the feed's connection drops, the cache is
/// emptied and bypassed until it is back.</item>
/// <item>Bounded: at most <c>Bff:Session:CacheSize</c> entries, none older than <see cref="MaxAge"/>.</item>
/// </list>
/// </summary>
internal sealed class SessionCache : IDisposable
{
    /// <summary>A backstop should an eviction ever be lost without the connection dropping.</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(30);

    private readonly int _capacity;
    private readonly TimeSpan _idleTimeout;
    private readonly TimeProvider _time;
    private readonly MemoryCache _copies;
    private long _generation;
    private int _live;

    public SessionCache(IOptions<BffOptions> options, TimeProvider time)
    {
        _capacity = options.Value.Session.CacheSize;
        _idleTimeout = options.Value.Session.IdleTimeout;
        _time = time;
        _copies = new MemoryCache(new MemoryCacheOptions { SizeLimit = Math.Max(1, _capacity) });
    }

    /// <summary>True while copies are kept and used (Redis mode, the eviction feed connected).</summary>
    public bool IsLive => _capacity > 0 && Volatile.Read(ref _live) == 1;

    public bool Holds(string sessionHash) => _copies.TryGetValue(sessionHash, out _);

    /// <summary>The session from a live copy, or from <paramref name="store"/> (keeping a copy when it may).</summary>
    public async ValueTask<SessionRecord?> GetAsync(SessionKey key, ISessionStore store, CancellationToken cancellationToken)
    {
        if (!IsLive)
        {
            return await store.GetAsync(key, cancellationToken);
        }

        if (_copies.TryGetValue(key.Hash, out SessionRecord? copy) && !copy!.IsExpired(_time.GetUtcNow(), _idleTimeout))
        {
            return copy;
        }

        // Expired by this copy's clock, perhaps not in Redis (another instance may have slid it): read again.
        var generation = Volatile.Read(ref _generation);
        var session = await store.GetAsync(key, cancellationToken);
        if (session is null)
        {
            _copies.Remove(key.Hash);
            return null;
        }

        Keep(key.Hash, session, generation);
        return session;
    }

    /// <summary>Drops the copy of a session written somewhere in the fleet.</summary>
    public void Evict(string sessionHash)
    {
        Interlocked.Increment(ref _generation);
        _copies.Remove(sessionHash);
    }

    /// <summary>Evictions may be missed from now on: drop every copy and stop using them.</summary>
    public void Suspend()
    {
        Volatile.Write(ref _live, 0);
        DropAll();
    }

    /// <summary>Evictions arrive again: start afresh.</summary>
    public void Resume()
    {
        DropAll();
        Volatile.Write(ref _live, 1);
    }

    public void Dispose() => _copies.Dispose();

    private void Keep(string sessionHash, SessionRecord session, long generationBeforeRead)
    {
        if (Volatile.Read(ref _generation) != generationBeforeRead)
        {
            return;
        }

        _copies.Set(sessionHash, session, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = MaxAge });
        // An eviction between the check and the Set must win: undo (at worst a copy someone else just kept).
        if (Volatile.Read(ref _generation) != generationBeforeRead)
        {
            _copies.Remove(sessionHash);
        }
    }

    private void DropAll()
    {
        Interlocked.Increment(ref _generation);
        _copies.Clear();
    }
}
