using System.Collections.Concurrent;
using Bff.Configuration;
using Bff.Diagnostics;
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
/// <item>Bounded: at most <c>Bff:Session:CacheSize</c> entries (beyond it, the copies not used since the last
/// trim go first, then others: a clock), none served past <c>Bff:Session:CacheMaxAge</c> (a backstop should an
/// announcement of a change fail) nor kept long after.</item>
/// <item>It hands out, and keeps, the request path's view of a session: without the refresh and id tokens,
/// which only the coordinator (reading Redis) and logout (likewise) use, so the long-lived secret never sits in
/// the cache. A miss reads only that view from Redis (<see cref="ISessionStore.GetRequestViewAsync"/>), and a
/// copy keeps it encoded as UTF-8 (<see cref="Copy"/>), so that many sessions fit.</item>
/// </list>
/// A dictionary of copies, not <c>MemoryCache</c>: a hit reads the copy without an entry object between, writes
/// nothing but a flag that is usually set already, and the cache is scanned only to trim it or, once per maximum
/// age, to drop what stopped being served; MemoryCache's scan of every entry each minute took about 30 ms of CPU
/// with 100,000 of them (bench/RESULTS.md).
/// </summary>
internal sealed class SessionCache : IDisposable
{
    private readonly int _capacity;
    private readonly TimeSpan _idleTimeout;
    private readonly TimeSpan _maxAge;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, Copy> _copies = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (Task<SessionRecord?> Read, long Generation)> _reads = new(StringComparer.Ordinal);
    private readonly BffMetrics _metrics;
    private readonly ITimer? _expirySweep;
    private long _generation;
    private int _live;

    /// <summary>Copies held, kept beside the dictionary: its own count takes every one of its locks.</summary>
    private int _count;
    private int _trimming;

    public SessionCache(IOptions<BffOptions> options, TimeProvider time, BffMetrics metrics)
    {
        _capacity = options.Value.Session.CacheSize;
        _idleTimeout = options.Value.Session.IdleTimeout;
        _maxAge = options.Value.Session.CacheMaxAge;
        _time = time;
        _metrics = metrics;
        // Only where copies are kept (a CacheSize of 0 turns the cache off).
        _expirySweep = _capacity > 0 ? TimeProvider.System.CreateTimer(_ => DropExpired(), null, _maxAge, _maxAge) : null;
        metrics.ObserveSessionCache(() => Volatile.Read(ref _count));
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

        if (_copies.TryGetValue(key.Hash, out var copy))
        {
            if (!copy.IsServing(Environment.TickCount64))
            {
                Drop(key.Hash, copy, "expired");
            }
            else if (!SessionRecord.IsExpired(copy.LastActiveAt, copy.AbsoluteExpiresAt, _time.GetUtcNow(), _idleTimeout))
            {
                copy.MarkUsed();
                _metrics.SessionCacheHit();
                return copy.Session();
            }
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
        DropAny(sessionHash);
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

        // In place, not a new copy: replacing it would re-encode the view on every touch, and
        // a copy evicted meanwhile is no longer served, whatever it says. Its serving end stays that of the read it
        // came from: the maximum age bounds how long anything read from Redis is served.
        if (_copies.TryGetValue(sessionHash, out var copy) && copy.Version == touched.Version)
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

    public void Dispose() => _expirySweep?.Dispose();

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
            if (session is not null)
            {
                Keep(key.Hash, Copy.Of(session, Environment.TickCount64 + (long)ServingTime().TotalMilliseconds), generation);
            }
            else
            {
                DropAny(key.Hash);
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

        // Over the bound, trimming (on the thread pool) makes room; the copy is kept unless a twentieth more than
        // the bound is held already (a trim falling behind a flood of new sessions).
        if (Volatile.Read(ref _count) >= _capacity)
        {
            StartTrim();
            if (Volatile.Read(ref _count) >= _capacity + _capacity / 20)
            {
                return;
            }
        }

        if (_copies.TryAdd(sessionHash, copy))
        {
            Interlocked.Increment(ref _count);
        }
        else
        {
            _copies[sessionHash] = copy;
        }

        // An eviction between the check and the write must win: undo (at worst a copy someone else just kept).
        if (Volatile.Read(ref _generation) != generationBeforeRead)
        {
            DropAny(sessionHash);
        }
    }

    private void StartTrim()
    {
        if (Interlocked.CompareExchange(ref _trimming, 1, 0) == 0)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static cache => cache.Trim(), this, preferLocal: false);
        }
    }

    /// <summary>
    /// Down to a twentieth under the bound (so that a full cache trims once per that many new copies, not on
    /// each): first what is no longer served, then, passing over each copy used since the previous pass (and
    /// clearing its flag), what is not.
    /// </summary>
    private void Trim()
    {
        try
        {
            var target = _capacity - Math.Max(1, _capacity / 20);
            DropExpired();
            for (var pass = 0; pass < 2 && Volatile.Read(ref _count) > target; pass++)
            {
                foreach (var (hash, copy) in _copies)
                {
                    if (Volatile.Read(ref _count) <= target)
                    {
                        break;
                    }

                    if (!copy.ClearUsed())
                    {
                        Drop(hash, copy, "capacity");
                    }
                }
            }
        }
        finally
        {
            Volatile.Write(ref _trimming, 0);
        }
    }

    /// <summary>Copies past their serving end are never served; this drops those nobody asked for since.</summary>
    private void DropExpired()
    {
        var now = Environment.TickCount64;
        foreach (var (hash, copy) in _copies)
        {
            if (!copy.IsServing(now))
            {
                Drop(hash, copy, "expired");
            }
        }
    }

    /// <summary>Removes whatever copy of the session is held: the session changed (or ended) somewhere.</summary>
    private void DropAny(string sessionHash)
    {
        if (_copies.TryRemove(sessionHash, out _))
        {
            Interlocked.Decrement(ref _count);
            _metrics.SessionCacheEvicted("changed");
        }
    }

    /// <summary>Removes this copy (not a newer one kept meanwhile), counted under <paramref name="reason"/>.</summary>
    private void Drop(string sessionHash, Copy copy, string reason)
    {
        if (_copies.TryRemove(KeyValuePair.Create(sessionHash, copy)))
        {
            Interlocked.Decrement(ref _count);
            _metrics.SessionCacheEvicted(reason);
        }
    }

    private void DropAll()
    {
        Interlocked.Increment(ref _generation);
        foreach (var (hash, copy) in _copies)
        {
            Drop(hash, copy, "changed");
        }
    }

    /// <summary>
    /// A session's request view, compact: its clear fields and its tokens and claims encoded as UTF-8
    /// (<see cref="SessionFieldFormat"/>, about half the bytes of the decoded strings), decoded for each request
    /// that uses it (each access token straight into its header value, the claims only if read); and when it stops
    /// being served (the read it came from plus the maximum age, on <see cref="Environment.TickCount64"/>'s clock:
    /// it measures this process's holding of the copy, not anything about the session); whether it was used since
    /// the last trim.
    /// </summary>
    private sealed class Copy(long version, DateTimeOffset lastActiveAt, DateTimeOffset absoluteExpiresAt, byte[] view, long servedUntil)
    {
        private long _lastActiveTicks = lastActiveAt.UtcTicks;
        private int _used;

        public long Version => version;

        public DateTimeOffset LastActiveAt => new(Volatile.Read(ref _lastActiveTicks), TimeSpan.Zero);

        public DateTimeOffset AbsoluteExpiresAt => absoluteExpiresAt;

        public static Copy Of(SessionRecord session, long servedUntil) =>
            new(session.Version, session.LastActiveAt, session.AbsoluteExpiresAt, SessionFieldFormat.EncodeView(session), servedUntil);

        public bool IsServing(long now) => now < servedUntil;

        /// <summary>Set on use; written only when not set already, so that hits leave the copy's memory clean.</summary>
        public void MarkUsed()
        {
            if (Volatile.Read(ref _used) == 0)
            {
                Volatile.Write(ref _used, 1);
            }
        }

        /// <summary>Whether it was used since the last call (a trim's pass), clearing the mark.</summary>
        public bool ClearUsed() => Interlocked.Exchange(ref _used, 0) == 1;

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
        public bool Holds(string sessionHash) => cache._copies.ContainsKey(sessionHash);
    }
}
