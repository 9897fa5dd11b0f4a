using Bff.Diagnostics;
using Bff.Redis;
using StackExchange.Redis;

namespace Bff.Sessions;

/// <summary>
/// Session changes over Redis pub/sub: every write publishes the session's hash and every instance evicts its
/// copy. The cache is live only while this subscription is: when its connection drops, messages may be missed,
/// so the cache is suspended; when it is restored, the cache resumes (empty) once the multiplexer has had
/// <see cref="ResubscribeGrace"/> to subscribe again.
/// </summary>
internal sealed class RedisSessionChangeFeed : ISessionChangeFeed, IRedisSubscription
{
    private static readonly TimeSpan ResubscribeGrace = TimeSpan.FromSeconds(1);

    private readonly IConnectionMultiplexer _redis;
    private readonly SessionCache _cache;
    private readonly ILogger<RedisSessionChangeFeed> _logger;
    private readonly ChannelSubscription _subscription;

    public RedisSessionChangeFeed(
        IConnectionMultiplexer redis, RedisKeys keys, SessionCache cache, IEnumerable<ISessionChangeListener> listeners, ILogger<RedisSessionChangeFeed> logger)
    {
        _redis = redis;
        _cache = cache;
        _logger = logger;
        var others = listeners.ToArray();
        _subscription = new ChannelSubscription(redis, keys.SessionChangeChannel, message =>
        {
            var sessionHash = message.ToString();
            cache.Evict(sessionHash);
            foreach (var listener in others)
            {
                listener.SessionChanged(sessionHash);
            }
        });
        redis.ConnectionFailed += OnConnectionFailed;
        redis.ConnectionRestored += OnConnectionRestored;
    }

    public async Task PublishAsync(string sessionHash)
    {
        _cache.Evict(sessionHash);
        try
        {
            await _redis.GetSubscriber().PublishAsync(_subscription.Channel, sessionHash);
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            // The write itself succeeded; the other copies age out (SessionCache.MaxAge).
            Log.SessionChangePublishFailed(_logger, sessionHash, exception.GetType().Name);
        }
    }

    public Task<bool> TrySubscribeAsync() => _subscription.TrySubscribeAsync(
        onSubscribed: () =>
        {
            _cache.Resume();
            Log.SessionCacheResumed(_logger);
        },
        onFailed: error => Log.SessionChangeSubscriptionFailed(_logger, error));

    private void OnConnectionFailed(object? sender, ConnectionFailedEventArgs args)
    {
        if (args.ConnectionType == ConnectionType.Subscription && _cache.IsLive)
        {
            _cache.Suspend();
            Log.SessionCacheSuspended(_logger);
        }
    }

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs args)
    {
        if (args.ConnectionType != ConnectionType.Subscription || !_subscription.IsSubscribed)
        {
            return;
        }

        _ = ResumeAfterGraceAsync();
    }

    private async Task ResumeAfterGraceAsync()
    {
        // Real time: this waits on the network, not on anything a test clock models.
        await Task.Delay(ResubscribeGrace);
        if (_redis.GetSubscriber().IsConnected(_subscription.Channel))
        {
            _cache.Resume();
            Log.SessionCacheResumed(_logger);
        }
    }
}
