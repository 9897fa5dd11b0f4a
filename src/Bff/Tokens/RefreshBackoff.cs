using Bff.Configuration;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace Bff.Tokens;

/// <summary>
/// Per instance: after a failure for a key (a session's target), no new attempt for it until its back-off ends.
/// The back-off starts at <c>Bff:Tokens:FailureBackoff</c>, doubles with each failure in a row up to
/// <c>Bff:Tokens:MaxFailureBackoff</c>, and a success clears it. Entries are forgotten a while after their
/// back-off ends, so the sessions of a long provider outage do not stay in memory.
/// </summary>
internal sealed class RefreshBackoff(IOptions<BffOptions> options, TimeProvider time) : IDisposable
{
    private readonly TimeSpan _initial = options.Value.Tokens.FailureBackoff;
    private readonly TimeSpan _max = options.Value.Tokens.MaxFailureBackoff;
    private readonly MemoryCache _entries = new(new MemoryCacheOptions());

    /// <summary>True while <paramref name="key"/> is backing off; <paramref name="remaining"/> says how long still.</summary>
    public bool IsHeld(string key, out TimeSpan remaining)
    {
        remaining = _entries.TryGetValue(key, out Entry? entry) ? entry!.Until - time.GetUtcNow() : TimeSpan.Zero;
        return remaining > TimeSpan.Zero;
    }

    /// <summary>Starts (or doubles) the back-off of <paramref name="key"/>; returns its length.</summary>
    public TimeSpan Failed(string key)
    {
        var failures = _entries.TryGetValue(key, out Entry? previous) ? previous!.Failures + 1 : 1;
        var backoff = TimeSpan.FromTicks(Math.Min(_initial.Ticks << Math.Min(failures - 1, 16), _max.Ticks));
        _entries.Set(key, new Entry(failures, time.GetUtcNow() + backoff), backoff + _max);
        return backoff;
    }

    public void Succeeded(string key) => _entries.Remove(key);

    public void Dispose() => _entries.Dispose();

    private sealed record Entry(int Failures, DateTimeOffset Until);
}
