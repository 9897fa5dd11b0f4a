using System.Collections.Concurrent;
using Bff.Configuration;
using Bff.Diagnostics;
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
/// <item>A copy read from Redis is kept only if no eviction arrived while it was being read; concurrent
/// misses of one session share one read, joined only while no eviction has happened since it began.</item>
/// <item>Copies are used only while evictions can arrive: when the feed's connection drops, the cache is
/// emptied and bypassed until it is back.</item>
/// <item>Bounded: at most <c>Bff:Session:CacheSize</c> entries, none older than <c>Bff:Session:CacheMaxAge</c>
/// (a backstop should an announcement of a change fail).</item>
/// <item>It hands out, and keeps, the request path's view of a session: without the refresh and id tokens,
/// which only the coordinator (reading Redis) and logout (likewise) use, so the long-lived secret never sits in
/// the cache. A miss reads only that view from Redis (<see cref="ISessionStore.GetRequestViewAsync"/>), and a
/// copy keeps it encoded as UTF-8 (<see cref="Copy"/>), so that many sessions fit.</item>
/// </list>
/// </summary>
internal sealed class SessionCache : IDisposable
{
    private readonly int _capacity;
    private readonly TimeSpan _idleTimeout;
    private readonly TimeSpan _maxAge;
    private readonly TimeProvider _time;
    private readonly MemoryCache _copies;
    private readonly ConcurrentDictionary<string, (Task<SessionRecord?> Read, long Generation)> _reads = new(StringComparer.Ordinal);
    private readonly BffMetrics _metrics;
    private readonly PostEvictionDelegate _evicted;
    private long _generation;
    private int _live;

    public SessionCache(IOptions<BffOptions> options, TimeProvider time, BffMetrics metrics)
    {
        _capacity = options.Value.Session.CacheSize;
        _idleTimeout = options.Value.Session.IdleTimeout;
        _maxAge = options.Value.Session.CacheMaxAge;
        _time = time;
        _metrics = metrics;
        _copies = new MemoryCache(new MemoryCacheOptions { SizeLimit = Math.Max(1, _capacity) });
        _evicted = (_, _, reason, _) => CountEviction(reason);
        metrics.ObserveSessionCache(() => _copies.Count);
    }

    /// <summary>True while copies are kept and used (Redis mode, the eviction feed connected).</summary>
    public bool IsLive => _capacity > 0 && Volatile.Read(ref _live) == 1;

    /// <summary>What tests read to see an eviction, and the hot-path benchmark to see its copies kept; nothing in the gateway reads it.</summary>
    internal TestAccessor GetTestAccessor() => new(this);

    /// <summary>
    /// The session for the request path, from a live copy (which lacks the refresh and id tokens) or from
    /// <paramref name="store"/> (keeping such a copy when it may). Callers must not use those two tokens.
    /// </summary>
    public async ValueTask<SessionRecord?> GetAsync(SessionKey key, ISessionStore store, CancellationToken cancellationToken)
    {
        if (!IsLive)
        {
            return await store.GetRequestViewAsync(key, cancellationToken);
        }

        if (_copies.TryGetValue(key.Hash, out Copy? copy) && !SessionRecord.IsExpired(copy!.LastActiveAt, copy.AbsoluteExpiresAt, _time.GetUtcNow(), _idleTimeout))
        {
            _metrics.SessionCacheHit();
            return copy.Session();
        }

        _metrics.SessionCacheMiss();

        // No copy, or one expired by its own clock (another instance may have slid the session): read Redis,
        // once for all the requests of this session that arrive meanwhile (a page opening with 20 API calls).
        var generation = Volatile.Read(ref _generation);
        if (_reads.TryGetValue(key.Hash, out var pending) && pending.Generation == generation)
        {
            return await pending.Read.WaitAsync(cancellationToken);
        }

        var mine = new TaskCompletionSource<SessionRecord?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var read = _reads.AddOrUpdate(key.Hash, (mine.Task, generation), (_, existing) => existing.Generation == generation ? existing : (mine.Task, generation));
        if (read.Read == mine.Task)
        {
            _ = ReadAndKeepAsync(key, store, generation, mine);
        }

        return await read.Read.WaitAsync(cancellationToken);
    }

    /// <summary>Drops the copy of a session written somewhere in the fleet.</summary>
    public void Evict(string sessionHash)
    {
        Interlocked.Increment(ref _generation);
        _copies.Remove(sessionHash);
    }

    /// <summary>
    /// This instance slid the session's idle end (a touch, not announced to the fleet): its copy takes the new
    /// activity time, unless it was evicted meanwhile.
    /// </summary>
    public void Touched(string sessionHash, SessionRecord touched)
    {
        if (!IsLive)
        {
            return;
        }

        // In place, not a new entry: replacing it cost a MemoryCache write and an eviction callback per touch, and
        // a copy evicted meanwhile is no longer served, whatever it says. Its serving end stays that of the read it
        // came from: the maximum age bounds how long anything read from Redis is served.
        if (_copies.TryGetValue(sessionHash, out Copy? copy) && copy!.Version == touched.Version)
        {
            copy.Slide(touched.LastActiveAt);
        }
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

    /// <summary>
    /// One read from the store shared by the requests that join it. It does not depend on any of them (one
    /// browser going away does not fail the others), and it is joined only while no eviction has happened since
    /// it started: a request that begins after a logout's eviction never receives a copy read before it.
    /// </summary>
    private async Task ReadAndKeepAsync(SessionKey key, ISessionStore store, long generation, TaskCompletionSource<SessionRecord?> read)
    {
        try
        {
            var session = await store.GetRequestViewAsync(key, CancellationToken.None);
            if (session is null)
            {
                _copies.Remove(key.Hash);
            }
            else
            {
                Keep(key.Hash, Copy.Of(session, DateTimeOffset.UtcNow + ServingTime()), generation);
            }

            read.SetResult(session);
        }
        catch (Exception exception)
        {
            read.SetException(exception);
        }
        finally
        {
            _reads.TryRemove(new KeyValuePair<string, (Task<SessionRecord?>, long)>(key.Hash, (read.Task, generation)));
        }
    }

    /// <summary>
    /// Between three quarters of the maximum age and all of it, at random: copies read together (a cache filling
    /// after a start, a page of many API calls) are not all re-read together when they reach the maximum age.
    /// </summary>
    private TimeSpan ServingTime() => _maxAge * (0.75 + Random.Shared.NextDouble() / 4);

    private void Keep(string sessionHash, Copy copy, long generationBeforeRead)
    {
        if (Volatile.Read(ref _generation) != generationBeforeRead)
        {
            return;
        }

        // MemoryCache's own clock is the system's: so is the copy's end.
        var entry = new MemoryCacheEntryOptions { Size = 1, AbsoluteExpiration = copy.ExpiresAt };
        entry.PostEvictionCallbacks.Add(new PostEvictionCallbackRegistration { EvictionCallback = _evicted });
        _copies.Set(sessionHash, copy, entry);
        // An eviction between the check and the Set must win: undo (at worst a copy someone else just kept).
        if (Volatile.Read(ref _generation) != generationBeforeRead)
        {
            _copies.Remove(sessionHash);
        }
    }

    private void CountEviction(EvictionReason reason)
    {
        switch (reason)
        {
            case EvictionReason.Removed:
                _metrics.SessionCacheEvicted("changed");
                break;
            case EvictionReason.Capacity:
                _metrics.SessionCacheEvicted("capacity");
                break;
            case EvictionReason.Expired:
                _metrics.SessionCacheEvicted("expired");
                break;
        }
    }

    private void DropAll()
    {
        Interlocked.Increment(ref _generation);
        _copies.Clear();
    }

    /// <summary>
    /// A session's request view, compact: its clear fields and its tokens and claims encoded as UTF-8
    /// (<see cref="SessionFieldFormat"/>, about half the bytes of the decoded strings), decoded for each request
    /// that uses it (each access token straight into its header value, the claims only if read); and when it stops
    /// being served (the read it came from plus the maximum age).
    /// </summary>
    private sealed class Copy(long version, DateTimeOffset lastActiveAt, DateTimeOffset absoluteExpiresAt, byte[] view, DateTimeOffset expiresAt)
    {
        private long _lastActiveTicks = lastActiveAt.UtcTicks;

        public long Version => version;

        public DateTimeOffset LastActiveAt => new(Volatile.Read(ref _lastActiveTicks), TimeSpan.Zero);

        public DateTimeOffset AbsoluteExpiresAt => absoluteExpiresAt;

        public DateTimeOffset ExpiresAt => expiresAt;

        public static Copy Of(SessionRecord session, DateTimeOffset expiresAt) =>
            new(session.Version, session.LastActiveAt, session.AbsoluteExpiresAt, SessionFieldFormat.EncodeView(session), expiresAt);

        /// <summary>Moves the last activity later, never earlier (touches of one session may finish in any order).</summary>
        public void Slide(DateTimeOffset activeAt)
        {
            var seen = Volatile.Read(ref _lastActiveTicks);
            while (activeAt.UtcTicks > seen)
            {
                var before = Interlocked.CompareExchange(ref _lastActiveTicks, activeAt.UtcTicks, seen);
                if (before == seen)
                {
                    return;
                }

                seen = before;
            }
        }

        public SessionRecord Session() => SessionFieldFormat.DecodeView(view, version, LastActiveAt, absoluteExpiresAt);
    }

    internal readonly struct TestAccessor(SessionCache cache)
    {
        public bool Holds(string sessionHash) => cache._copies.TryGetValue(sessionHash, out _);
    }
}
