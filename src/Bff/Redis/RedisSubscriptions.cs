namespace Bff.Redis;

/// <summary>
/// Subscribes the instance to the fleet's channels (refresh notices, session changes) before it serves
/// requests, and keeps trying in the background while Redis is unreachable at start-up (meanwhile refresh
/// waiters fall back to re-reading and the session cache stays off).
/// </summary>
internal sealed class RedisSubscriptions(IEnumerable<IRedisSubscription> subscriptions, TimeProvider time) : BackgroundService
{
    private static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(1);

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await SubscribeAllAsync();
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!await SubscribeAllAsync())
        {
            await Task.Delay(RetryInterval, time, stoppingToken);
        }
    }

    private async Task<bool> SubscribeAllAsync()
    {
        var subscribed = await Task.WhenAll(subscriptions.Select(subscription => subscription.TrySubscribeAsync()));
        return subscribed.All(ok => ok);
    }
}
