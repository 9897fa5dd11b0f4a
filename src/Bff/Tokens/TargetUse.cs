using Bff.Diagnostics;
using Bff.Sessions;
using Microsoft.Extensions.Caching.Memory;

namespace Bff.Tokens;

/// <summary>
/// Records in the store that a session's token for a target other than the sign-in one was used, so the sweeper
/// keeps only tokens in use fresh (it drops a target not used within one token lifetime). Per instance at most
/// once per token and quarter of its remaining life: a request that finds a recent enough record here writes
/// nothing, so a mark is never more than a quarter of a lifetime behind the last use.
/// </summary>
internal sealed class TargetUse(ISessionStore store, TimeProvider time, ILogger<TargetUse> logger) : IDisposable
{
    private readonly MemoryCache _recorded = new(new MemoryCacheOptions { SizeLimit = 100_000 });

    public void Record(SessionKey key, TokenTarget target, DateTimeOffset expiresAt)
    {
        if (target.IsLogin)
        {
            return;
        }

        var now = time.GetUtcNow();
        var entry = key.Hash + "\u001f" + target.Id;
        if (_recorded.TryGetValue(entry, out Recorded? recorded) && recorded!.TokenExpiresAt == expiresAt && now < recorded.Next)
        {
            return;
        }

        _recorded.Set(entry, new Recorded(expiresAt, now + (expiresAt - now) / 4), new MemoryCacheEntryOptions { Size = 1, SlidingExpiration = TimeSpan.FromMinutes(10) });
        _ = MarkAsync(key, target, entry);
    }

    public void Dispose() => _recorded.Dispose();

    /// <param name="TokenExpiresAt">Which token was recorded: its expiry, which every new token moves (holding the token itself would keep a copy of it per session).</param>
    /// <param name="Next">When a use of the same token is worth recording again.</param>
    private sealed record Recorded(DateTimeOffset TokenExpiresAt, DateTimeOffset Next);

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
