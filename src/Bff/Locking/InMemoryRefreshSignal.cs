namespace Bff.Locking;

/// <summary>Single-instance signal: every waiter is in this process.</summary>
internal sealed class InMemoryRefreshSignal(LocalRefreshWaiters waiters) : IRefreshSignal
{
    public Task Subscribe(string sessionHash) => waiters.Subscribe(sessionHash);

    public Task PublishAsync(string sessionHash)
    {
        waiters.Wake(sessionHash);
        return Task.CompletedTask;
    }
}
