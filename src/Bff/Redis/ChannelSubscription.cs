using StackExchange.Redis;

namespace Bff.Redis;

/// <summary>
/// One pub/sub channel this instance listens to: subscribed once (by <see cref="RedisSubscriptions"/>, which
/// retries while Redis is unreachable), then kept by the multiplexer across reconnects. What the channel is
/// for stays with its owner: the handler of each message, and what to do once subscribed.
/// </summary>
internal sealed class ChannelSubscription(IConnectionMultiplexer redis, RedisChannel channel, Action<RedisValue> onMessage)
{
    private int _subscribed;

    public RedisChannel Channel => channel;

    public bool IsSubscribed => Volatile.Read(ref _subscribed) == 1;

    /// <summary>
    /// Subscribes unless already subscribed; <paramref name="onSubscribed"/> runs once, when it first succeeds.
    /// False, with the error's name given to <paramref name="onFailed"/>, while Redis is unreachable.
    /// </summary>
    public async Task<bool> TrySubscribeAsync(Action onSubscribed, Action<string> onFailed)
    {
        if (IsSubscribed)
        {
            return true;
        }

        try
        {
            await redis.GetSubscriber().SubscribeAsync(channel, (_, message) => onMessage(message));
            Volatile.Write(ref _subscribed, 1);
            onSubscribed();
            return true;
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            onFailed(exception.GetType().Name);
            return false;
        }
    }
}
