using System.Collections.Concurrent;
using Bff.Configuration;
using Microsoft.Extensions.Options;

namespace Bff.Sessions;

/// <summary>
/// The embedded single-instance store: sessions live in this process and are lost on restart. Records are
/// immutable, so <see cref="ConcurrentDictionary{TKey,TValue}.TryUpdate"/> gives the same compare-and-set as
/// the Redis script.
/// </summary>
internal sealed class InMemorySessionStore(IOptions<BffOptions> options, TimeProvider time) : ISessionStore
{
    private readonly ConcurrentDictionary<string, SessionRecord> _sessions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, DateTimeOffset>> _uses = new(StringComparer.Ordinal);
    private readonly TimeSpan _idleTimeout = options.Value.Session.IdleTimeout;

    public Task<SessionRecord?> GetAsync(SessionKey key, CancellationToken cancellationToken)
    {
        if (!_sessions.TryGetValue(key.Hash, out var session))
        {
            return Task.FromResult<SessionRecord?>(null);
        }

        if (session.IsExpired(time.GetUtcNow(), _idleTimeout))
        {
            if (_sessions.TryRemove(new KeyValuePair<string, SessionRecord>(key.Hash, session)))
            {
                _uses.TryRemove(key.Hash, out _);
            }

            return Task.FromResult<SessionRecord?>(null);
        }

        return Task.FromResult<SessionRecord?>(session);
    }

    public async Task<SessionRecord?> GetRequestViewAsync(SessionKey key, CancellationToken cancellationToken) =>
        (await GetAsync(key, cancellationToken))?.WithoutSecrets();

    public Task CreateAsync(SessionKey key, SessionRecord session, CancellationToken cancellationToken)
    {
        _sessions[key.Hash] = session;
        return Task.CompletedTask;
    }

    public Task<SessionRecord?> TryReplaceTokensAsync(SessionKey key, SessionRecord current, TokenSet tokens, CancellationToken cancellationToken)
    {
        while (_sessions.TryGetValue(key.Hash, out var stored) && stored.Version == current.Version)
        {
            // From the stored record: a touch since the caller's read moved its activity, not its version.
            var updated = stored with { Version = current.Version + 1, Tokens = tokens };
            if (_sessions.TryUpdate(key.Hash, updated, stored))
            {
                return Task.FromResult<SessionRecord?>(updated);
            }
        }

        return Task.FromResult<SessionRecord?>(null);
    }

    public Task TouchAsync(IReadOnlyCollection<SessionTouch> touches, CancellationToken cancellationToken)
    {
        foreach (var (key, lastActiveAt) in touches)
        {
            while (_sessions.TryGetValue(key.Hash, out var current) && current.LastActiveAt < lastActiveAt)
            {
                if (_sessions.TryUpdate(key.Hash, current with { LastActiveAt = lastActiveAt }, current))
                {
                    break;
                }
            }
        }

        return Task.CompletedTask;
    }

    public Task RemoveAsync(SessionKey key, CancellationToken cancellationToken)
    {
        _sessions.TryRemove(key.Hash, out _);
        _uses.TryRemove(key.Hash, out _);
        return Task.CompletedTask;
    }

    public Task MarkUsedAsync(SessionKey key, string targetId, DateTimeOffset at)
    {
        if (_sessions.ContainsKey(key.Hash))
        {
            _uses.GetOrAdd(key.Hash, static _ => new(StringComparer.Ordinal))
                .AddOrUpdate(targetId, at, (_, marked) => marked > at ? marked : at);
        }

        return Task.CompletedTask;
    }

    public Task<DateTimeOffset?> LastUsedAsync(SessionKey key, string targetId) =>
        Task.FromResult(_uses.TryGetValue(key.Hash, out var targets) && targets.TryGetValue(targetId, out var at) ? at : (DateTimeOffset?)null);
}
