namespace Bff.Locking;

/// <summary>
/// Subscribes the instance to the fleet's "refreshed" channel before it serves requests, and keeps trying in
/// the background while Redis is unreachable at start-up (waiters meanwhile fall back to re-reading).
/// </summary>
internal sealed class RefreshSignalSubscription(RedisRefreshSignal signal, TimeProvider time) : BackgroundService
{
    private static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(1);

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await signal.TrySubscribeAsync();
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!await signal.TrySubscribeAsync())
        {
            await Task.Delay(RetryInterval, time, stoppingToken);
        }
    }
}
