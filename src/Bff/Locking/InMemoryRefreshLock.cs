using System.Collections.Concurrent;

namespace Bff.Locking;

/// <summary>The in-process equivalent of <see cref="RedisRefreshLock"/> for the single-instance store: same lease semantics.</summary>
internal sealed class InMemoryRefreshLock(TimeProvider time) : IRefreshLock
{
    private readonly TimeProvider _time = time;

    private readonly ConcurrentDictionary<string, Holder> _holders = new(StringComparer.Ordinal);

    public Task<IRefreshLease?> TryAcquireAsync(string sessionHash, TimeSpan lease, CancellationToken cancellationToken)
    {
        var mine = new Holder(Guid.NewGuid(), _time.GetUtcNow() + lease);
        while (true)
        {
            if (_holders.TryAdd(sessionHash, mine))
            {
                return Task.FromResult<IRefreshLease?>(new Lease(this, sessionHash, mine.Owner));
            }

            if (_holders.TryGetValue(sessionHash, out var current) && current.ExpiresAt > _time.GetUtcNow())
            {
                return Task.FromResult<IRefreshLease?>(null);
            }

            // The holder's lease lapsed: take it over only if nobody else did first.
            if (current is not null && _holders.TryUpdate(sessionHash, mine, current))
            {
                return Task.FromResult<IRefreshLease?>(new Lease(this, sessionHash, mine.Owner));
            }
        }
    }

    private sealed record Holder(Guid Owner, DateTimeOffset ExpiresAt);

    private sealed class Lease(InMemoryRefreshLock owner, string sessionHash, Guid id) : IRefreshLease
    {
        public Task<bool> ExtendAsync(TimeSpan lease)
        {
            var holders = owner._holders;
            var extended = holders.TryGetValue(sessionHash, out var current) && current.Owner == id
                && holders.TryUpdate(sessionHash, current with { ExpiresAt = owner._time.GetUtcNow() + lease }, current);
            return Task.FromResult(extended);
        }

        public ValueTask DisposeAsync()
        {
            var holders = owner._holders;
            if (holders.TryGetValue(sessionHash, out var current) && current.Owner == id)
            {
                holders.TryRemove(new KeyValuePair<string, Holder>(sessionHash, current));
            }

            return ValueTask.CompletedTask;
        }
    }
}
