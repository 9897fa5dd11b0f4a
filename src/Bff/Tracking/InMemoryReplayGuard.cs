using Bff.Redis;
using System.Collections.Concurrent;

namespace Bff.Tracking;

/// <summary>The single-instance replay guard; expired entries are dropped as new ones arrive.</summary>
internal sealed class InMemoryReplayGuard(TimeProvider time) : IReplayGuard
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _used = new(StringComparer.Ordinal);

    public Task<bool> TryUseAsync(string value, DateTimeOffset expiresAt)
    {
        var now = time.GetUtcNow();
        foreach (var (used, until) in _used)
        {
            if (until <= now)
            {
                _used.TryRemove(used, out _);
            }
        }

        return Task.FromResult(_used.TryAdd(Hashing.Hash(value), expiresAt));
    }
}
