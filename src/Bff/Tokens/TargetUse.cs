using Bff.Diagnostics;
using Bff.Sessions;
using Microsoft.Extensions.Caching.Memory;

namespace Bff.Tokens;

/// <summary>
/// Records in the store that a session's token for a target other than the sign-in one was used, so the sweeper
/// keeps only tokens in use fresh. Once per token per instance: a request that finds the same token already
/// recorded here writes nothing.
/// </summary>
internal sealed class TargetUse(ISessionStore store, TimeProvider time, ILogger<TargetUse> logger) : IDisposable
{
    private readonly MemoryCache _recorded = new(new MemoryCacheOptions { SizeLimit = 100_000 });

    public void Record(SessionKey key, TokenTarget target, string accessToken)
    {
        if (target.IsLogin)
        {
            return;
        }

        var entry = key.Hash + "\u001f" + target.Id;
        if (_recorded.TryGetValue(entry, out string? recorded) && string.Equals(recorded, accessToken, StringComparison.Ordinal))
        {
            return;
        }

        _recorded.Set(entry, accessToken, new MemoryCacheEntryOptions { Size = 1, SlidingExpiration = TimeSpan.FromMinutes(10) });
        _ = MarkAsync(key, target, entry);
    }

    public void Dispose() => _recorded.Dispose();

    private async Task MarkAsync(SessionKey key, TokenTarget target, string entry)
    {
        try
        {
            await store.MarkUsedAsync(key, target.Id, time.GetUtcNow());
        }
        catch (Exception exception)
        {
            // The next request tries again; meanwhile the sweeper may let this token expire (a request refreshes it).
            _recorded.Remove(entry);
            Log.TargetUseNotRecorded(logger, key.Hash, exception.GetType().Name);
        }
    }
}
