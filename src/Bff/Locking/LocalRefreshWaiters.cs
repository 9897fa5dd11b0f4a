using System.Collections.Concurrent;

namespace Bff.Locking;

/// <summary>This process' waiters per session hash; both signal implementations wake them through here.</summary>
internal sealed class LocalRefreshWaiters
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _waiters = new(StringComparer.Ordinal);

    public Task Subscribe(string sessionHash) =>
        _waiters.GetOrAdd(sessionHash, static _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public void Wake(string sessionHash)
    {
        if (_waiters.TryRemove(sessionHash, out var waiters))
        {
            waiters.TrySetResult();
        }
    }
}
