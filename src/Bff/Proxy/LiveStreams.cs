using System.Collections.Concurrent;
using Bff.Configuration;
using Bff.Diagnostics;
using Bff.Sessions;
using Microsoft.Extensions.Options;

namespace Bff.Proxy;

/// <summary>
/// The WebSockets and event streams this instance proxies, by session, so that a session's end closes them on
/// every instance (DESIGN invariant 10): a logout, back-channel logout or rejected refresh anywhere publishes a
/// session change, which each instance hears within about a second and answers by reading the session; if it is
/// gone, its connections are aborted. Idle and absolute expiry publish nothing, so the connections are also
/// checked when their session's known end passes, and all of them every <see cref="Backstop"/> in case a change
/// was missed while the change feed was down.
/// </summary>
/// <param name="store">The store itself, read-only here (the tracked store publishes to this listener: no cycle).</param>
internal sealed class LiveStreams(ISessionStore store, IOptions<BffOptions> options, TimeProvider time, ILogger<LiveStreams> logger)
    : BackgroundService, ISessionChangeListener
{
    private static readonly TimeSpan Beat = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Backstop = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<string, SessionStreams> _sessions = new(StringComparer.Ordinal);
    private readonly TimeSpan _idleTimeout = options.Value.Session.IdleTimeout;

    /// <summary>Number of connections held open, for tests and graceful shutdown.</summary>
    public int Count => _sessions.Values.Sum(s => s.Count);

    /// <summary>Tracks the stream of <paramref name="context"/> until the returned registration is disposed.</summary>
    public IDisposable Register(string sessionHash, DateTimeOffset sessionEndsAt, HttpContext context)
    {
        SessionStreams streams;
        long id;
        while (true)
        {
            streams = _sessions.GetOrAdd(sessionHash, static _ => new SessionStreams());
            id = streams.Add(context);
            // The last one of that session may have left meanwhile, taking the entry with it: join a live entry.
            if (_sessions.TryGetValue(sessionHash, out var current) && current == streams)
            {
                break;
            }

            streams.Remove(id);
        }

        streams.EndsAt = sessionEndsAt;
        return new Registration(() =>
        {
            if (streams.Remove(id))
            {
                _sessions.TryRemove(new KeyValuePair<string, SessionStreams>(sessionHash, streams));
            }
        });
    }

    public void SessionChanged(string sessionHash)
    {
        if (_sessions.TryGetValue(sessionHash, out var streams))
        {
            _ = CheckAsync(sessionHash, streams);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Beat, time);
        var nextBackstop = time.GetUtcNow() + Backstop;
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                var now = time.GetUtcNow();
                var all = now >= nextBackstop;
                nextBackstop = all ? now + Backstop : nextBackstop;
                foreach (var (sessionHash, streams) in _sessions)
                {
                    if (all || streams.EndsAt <= now)
                    {
                        await CheckAsync(sessionHash, streams);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    private async Task CheckAsync(string sessionHash, SessionStreams streams)
    {
        try
        {
            if (await store.GetAsync(SessionKey.FromHash(sessionHash), CancellationToken.None) is { } session)
            {
                streams.EndsAt = session.ExpiresAt(_idleTimeout);
                return;
            }

            Log.LiveStreamsClosed(logger, sessionHash, streams.AbortAll());
        }
        catch (Exception exception)
        {
            // Redis unreachable: the connections stay until the next check can tell.
            Log.LiveStreamCheckFailed(logger, sessionHash, exception.GetType().Name);
        }
    }

    private sealed class SessionStreams
    {
        private readonly ConcurrentDictionary<long, HttpContext> _contexts = new();
        private long _nextId;
        private long _endsAtTicks;

        public DateTimeOffset EndsAt
        {
            get => new(Interlocked.Read(ref _endsAtTicks), TimeSpan.Zero);
            set => Interlocked.Exchange(ref _endsAtTicks, value.UtcTicks);
        }

        public int Count => _contexts.Count;

        public long Add(HttpContext context)
        {
            var id = Interlocked.Increment(ref _nextId);
            _contexts[id] = context;
            return id;
        }

        /// <summary>True when that was the last one.</summary>
        public bool Remove(long id) => _contexts.TryRemove(id, out _) && _contexts.IsEmpty;

        public int AbortAll()
        {
            var aborted = 0;
            foreach (var (id, context) in _contexts)
            {
                if (_contexts.TryRemove(id, out _))
                {
                    context.Abort();
                    aborted++;
                }
            }

            return aborted;
        }
    }

    private sealed class Registration(Action dispose) : IDisposable
    {
        public void Dispose() => dispose();
    }
}
