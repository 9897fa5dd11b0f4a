using Bff.Diagnostics;
using StackExchange.Redis;

namespace Bff.Redis;

/// <summary>
/// One fleet-wide channel this instance publishes on and listens to (refresh notices, session changes), over
/// the Redis channels <see cref="FleetChannelName"/> lays out. Its subscriptions are checked, not trusted: the
/// instance sends itself a probe on each of them every <see cref="ProbeInterval"/> (and at once after a
/// subscription connection failed) and expects it back within <see cref="ProbeTimeout"/>; one that does not
/// come back is subscribed again. A cluster master that dies takes its subscriptions with it, and the client
/// renews them only if that same node comes back: the probe finds out, and the new subscription goes to the
/// node that serves the slot now.
/// </summary>
internal sealed class FleetChannel
{
    public static readonly TimeSpan ProbeInterval = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(2);

    // A probe: '~', this instance's id, a sequence number. Session hashes (base64url) and notices never start so.
    private const char ProbeMark = '~';

    private readonly IConnectionMultiplexer _redis;
    private readonly FleetChannelName _name;
    private readonly Action<string> _onMessage;
    private readonly ILogger _logger;
    private readonly string _probePrefix = $"{ProbeMark}{Guid.NewGuid():N}:";
    private Listener[]? _listeners;
    private bool? _sharded;
    private long _probes;

    public FleetChannel(IConnectionMultiplexer redis, FleetChannelName name, Action<string> onMessage, ILogger logger)
    {
        _redis = redis;
        _name = name;
        _onMessage = onMessage;
        _logger = logger;
        redis.ConnectionFailed += (_, args) =>
        {
            if (args.ConnectionType == ConnectionType.Subscription && _listeners is { } listeners)
            {
                foreach (var listener in listeners)
                {
                    listener.Unverify();
                }

                Interrupted?.Invoke();
            }
        };
    }

    /// <summary>A subscription connection failed: messages may have been missed until the next check succeeds.</summary>
    public event Action? Interrupted;

    /// <summary>Publishes a message about a session on the channel that carries that session's messages.</summary>
    public Task PublishAsync(string sessionHash, string message) =>
        _redis.GetSubscriber().PublishAsync(_name.Of(sessionHash, IsSharded()), message);

    /// <summary>
    /// Subscribes what is not subscribed and probes what is due: true when every channel delivered this instance's
    /// probe within the last <see cref="ProbeInterval"/> (so none of its messages is being missed); false while
    /// Redis is unreachable or a channel is being subscribed again.
    /// </summary>
    public async Task<bool> CheckAsync()
    {
        if (!_redis.IsConnected)
        {
            return false;
        }

        var listeners = _listeners ??= [.. _name.All(IsSharded()).Select(channel => new Listener(channel))];
        var checks = await Task.WhenAll(listeners.Select(CheckAsync));
        return checks.All(ok => ok);
    }

    private async Task<bool> CheckAsync(Listener listener)
    {
        var subscriber = _redis.GetSubscriber();
        try
        {
            if (!listener.Subscribed)
            {
                await subscriber.SubscribeAsync(listener.Channel, (_, message) => Receive(listener, message.ToString()));
                listener.Subscribed = true;
            }

            if (listener.IsVerified)
            {
                return true;
            }

            var probe = _probePrefix + Interlocked.Increment(ref _probes);
            var returned = listener.ExpectProbe(probe);
            await subscriber.PublishAsync(listener.Channel, probe);
            // Real time: this waits on the network, not on anything a test clock models.
            await returned.WaitAsync(ProbeTimeout);
            return true;
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            Log.FleetChannelResubscribing(_logger, listener.Channel.ToString(), exception.GetType().Name);
            await ResubscribeLaterAsync(subscriber, listener);
            return false;
        }
    }

    /// <summary>Drops a subscription that does not deliver, so that the next check subscribes afresh.</summary>
    private static async Task ResubscribeLaterAsync(ISubscriber subscriber, Listener listener)
    {
        listener.Subscribed = false;
        try
        {
            await subscriber.UnsubscribeAsync(listener.Channel);
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            // The connection it was on is gone: nothing to unsubscribe.
        }
    }

    private void Receive(Listener listener, string message)
    {
        if (message.Length > 0 && message[0] == ProbeMark)
        {
            listener.ProbeReturned(message);
            return;
        }

        _onMessage(message);
    }

    /// <summary>Whether this is a cluster's sharded layout: decided once, when Redis first answers.</summary>
    private bool IsSharded()
    {
        if (_sharded is { } sharded)
        {
            return sharded;
        }

        if (!_redis.IsConnected)
        {
            throw new RedisException("Redis is unreachable: the channel layout (one server or a cluster) is not known yet.");
        }

        _sharded = _redis.GetServers().Any(server => server.ServerType == ServerType.Cluster);
        return _sharded.Value;
    }

    /// <summary>One Redis channel's subscription and the state of its probe.</summary>
    private sealed class Listener(RedisChannel channel)
    {
        private readonly Lock _gate = new();
        private string? _expected;
        private TaskCompletionSource? _returned;
        // Environment.TickCount64 when its probe last came back; 0: not since (re)subscribing or an interruption.
        private long _verifiedAt;

        public RedisChannel Channel => channel;

        public bool Subscribed
        {
            get;
            set
            {
                field = value;
                if (!value)
                {
                    Unverify();
                }
            }
        }

        public bool IsVerified => Volatile.Read(ref _verifiedAt) is var at && at != 0 && Environment.TickCount64 - at < (long)ProbeInterval.TotalMilliseconds;

        public void Unverify() => Volatile.Write(ref _verifiedAt, 0);

        public Task ExpectProbe(string probe)
        {
            lock (_gate)
            {
                _expected = probe;
                _returned = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                return _returned.Task;
            }
        }

        public void ProbeReturned(string probe)
        {
            lock (_gate)
            {
                // Other instances' probes, and this one's late ones, pass by.
                if (probe != _expected)
                {
                    return;
                }

                Volatile.Write(ref _verifiedAt, Environment.TickCount64);
                _returned!.TrySetResult();
            }
        }
    }
}
