namespace Bff.Redis;

/// <summary>A Redis pub/sub channel this instance listens to (the multiplexer restores it after reconnects).</summary>
internal interface IRedisSubscription
{
    /// <summary>Subscribes if not yet subscribed; false while Redis is unreachable.</summary>
    Task<bool> TrySubscribeAsync();
}
