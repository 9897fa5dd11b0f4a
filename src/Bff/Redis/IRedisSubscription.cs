namespace Bff.Redis;

/// <summary>A fleet channel this instance listens to, kept subscribed by <see cref="RedisSubscriptions"/>.</summary>
internal interface IRedisSubscription
{
    /// <summary>Subscribes what is not subscribed and probes what is due; false while a channel is not delivering.</summary>
    Task<bool> CheckAsync();
}
