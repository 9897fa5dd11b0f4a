namespace Bff.Redis;

/// <summary>
/// Subscribes the instance to the fleet's channels (refresh notices, session changes) before it serves
/// requests, then checks them every second for as long as it runs: while Redis is unreachable, after a
/// failover or a node's restart, a channel that does not deliver is subscribed again (meanwhile refresh
/// waiters fall back to re-reading and the session cache stays off).
/// </summary>
internal sealed class RedisSubscriptions(IEnumerable<IRedisSubscription> subscriptions) : BackgroundService
{
    private static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(1);

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await CheckAllAsync();
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                // Real time: the checks wait on the network, not on anything a test clock models.
                await Task.Delay(CheckInterval, stoppingToken);
                await CheckAllAsync();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    private Task CheckAllAsync() => Task.WhenAll(subscriptions.Select(subscription => subscription.CheckAsync()));
}
