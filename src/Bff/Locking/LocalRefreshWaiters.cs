using System.Collections.Concurrent;

namespace Bff.Locking;

/// <summary>This process' waiters per session hash; both signal implementations wake them through here.</summary>
internal sealed class LocalRefreshWaiters
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource<RefreshNotice>> _waiters = new(StringComparer.Ordinal);

    public Task<RefreshNotice> Subscribe(string sessionHash) =>
        _waiters.GetOrAdd(sessionHash, static _ => new TaskCompletionSource<RefreshNotice>(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public void Wake(string sessionHash, RefreshNotice notice)
    {
        if (_waiters.TryRemove(sessionHash, out var waiters))
        {
            waiters.TrySetResult(notice);
        }
    }
}
