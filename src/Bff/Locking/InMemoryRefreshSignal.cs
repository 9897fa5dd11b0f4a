namespace Bff.Locking;

/// <summary>Single-instance signal: every waiter is in this process.</summary>
internal sealed class InMemoryRefreshSignal(LocalRefreshWaiters waiters) : IRefreshSignal
{
    public Task<RefreshNotice> Subscribe(string sessionHash) => waiters.Subscribe(sessionHash);

    public Task PublishAsync(string sessionHash, RefreshNotice notice)
    {
        waiters.Wake(sessionHash, notice);
        return Task.CompletedTask;
    }
}
