using System.Collections.Concurrent;
using Bff.Diagnostics;
using Bff.Redis;
using StackExchange.Redis;

namespace Bff.Sessions;

/// <summary>
/// Session changes over the fleet's <c>session-changed</c> channel (sharded by session on a cluster): every
/// write publishes the session's hash and every instance evicts its copy. The cache is live only while the
/// channel is proven to deliver (<see cref="FleetChannel"/>'s probes): when a subscription connection fails,
/// messages may be missed, so the cache is suspended; it resumes (empty) once every channel has delivered a
/// probe again, on whichever node now serves it.
/// </summary>
internal sealed class RedisSessionChangeFeed : ISessionChangeFeed, IRedisSubscription
{
    private const int MaxUnannounced = 100_000;

    private readonly SessionCache _cache;
    private readonly ILogger<RedisSessionChangeFeed> _logger;
    private readonly FleetChannel _channel;

    /// <summary>Sessions written here whose change could not be announced yet.</summary>
    private readonly ConcurrentDictionary<string, byte> _unannounced = new(StringComparer.Ordinal);
    private int _delivering;

    public RedisSessionChangeFeed(
        IConnectionMultiplexer redis, RedisKeys keys, SessionCache cache, IEnumerable<ISessionChangeListener> listeners, ILogger<RedisSessionChangeFeed> logger)
    {
        _cache = cache;
        _logger = logger;
        var others = listeners.ToArray();
        _channel = new FleetChannel(redis, keys.SessionChangeChannel, sessionHash =>
        {
            cache.Evict(sessionHash);
            foreach (var listener in others)
            {
                listener.SessionChanged(sessionHash);
            }
        }, logger);
        _channel.Interrupted += () => Deliver(false);
    }

    public async Task PublishAsync(string sessionHash)
    {
        _cache.Evict(sessionHash);
        if (!await TryAnnounceAsync(sessionHash) && _unannounced.Count < MaxUnannounced)
        {
            _unannounced.TryAdd(sessionHash, 0);
        }
    }

    public async Task<bool> CheckAsync()
    {
        var delivering = await _channel.CheckAsync();
        Deliver(delivering);
        // Once a second: enumerating the dictionary itself takes no lock and copies nothing (its Keys would).
        if (delivering && !_unannounced.IsEmpty)
        {
            foreach (var (sessionHash, _) in _unannounced)
            {
                if (await TryAnnounceAsync(sessionHash))
                {
                    _unannounced.TryRemove(sessionHash, out _);
                }
            }
        }

        return delivering;
    }

    private async Task<bool> TryAnnounceAsync(string sessionHash)
    {
        try
        {
            await _channel.PublishAsync(sessionHash, sessionHash);
            return true;
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            // The write itself succeeded: announced again at each check until it goes through (the other copies'
            // maximum age, Bff:Session:CacheMaxAge, bounds the rest: this instance stopping meanwhile).
            Log.SessionChangePublishFailed(_logger, sessionHash, exception.GetType().Name);
            return false;
        }
    }

    /// <summary>Suspends or resumes the cache when the channel stops or starts delivering, logging each change once.</summary>
    private void Deliver(bool delivering)
    {
        if (Interlocked.Exchange(ref _delivering, delivering ? 1 : 0) == (delivering ? 1 : 0))
        {
            return;
        }

        if (delivering)
        {
            _cache.Resume();
            Log.SessionCacheResumed(_logger);
        }
        else
        {
            _cache.Suspend();
            Log.SessionCacheSuspended(_logger);
        }
    }
}
