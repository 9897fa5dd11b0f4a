using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Bff.Diagnostics;

/// <summary>The gateway's metrics (meter <c>Bff</c>); see the README's metrics reference.</summary>
internal sealed class BffMetrics
{
    public const string MeterName = "Bff";

    private readonly Counter<long> _refreshes;
    private readonly Histogram<double> _refreshDuration;
    private readonly Counter<long> _joined;
    private readonly Counter<long> _requestsGaveUp;
    private readonly Counter<long> _heldBack;
    private readonly Histogram<double> _lockWait;
    private readonly Counter<long> _sessionsCreated;
    private readonly Counter<long> _sessionsEnded;
    private readonly Histogram<double> _upstreamDuration;
    private readonly Counter<long> _cacheHits;
    private readonly Counter<long> _cacheMisses;
    private readonly Counter<long> _cacheEvictions;
    private Func<long> _cacheEntries = static () => 0;
    private long _scheduled;
    private long _due;
    private double _lagSeconds;

    public BffMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _refreshes = meter.CreateCounter<long>("bff.refresh.count", description: "Calls to the provider's token endpoint, by outcome and trigger.");
        _refreshDuration = meter.CreateHistogram<double>("bff.refresh.duration", unit: "s", description: "Duration of calls to the provider's token endpoint, by outcome.");
        _joined = meter.CreateCounter<long>("bff.refresh.joined", description: "Requests that joined a refresh already in flight in this process.");
        _requestsGaveUp = meter.CreateCounter<long>("bff.refresh.request_timeouts", description: "Requests that stopped waiting for a refresh at Bff:Tokens:IdpTimeout; the refresh went on and stored its answer.");
        _heldBack = meter.CreateCounter<long>("bff.refresh.held_back", description: "Provider calls not made, by reason: a session's back-off after a failure, the token endpoint's open circuit, an upstream 401 that a new token did not cure.");
        _lockWait = meter.CreateHistogram<double>("bff.refresh.lock_wait", unit: "s", description: "Time spent waiting for another holder's refresh lock.");
        _sessionsCreated = meter.CreateCounter<long>("bff.session.created", description: "Sessions created at login on this instance.");
        _sessionsEnded = meter.CreateCounter<long>("bff.session.ended", description: "Sessions ended on this instance (logout, back-channel logout, refresh token rejected).");
        _upstreamDuration = meter.CreateHistogram<double>("bff.upstream.duration", unit: "s", description: "Time from sending a proxied request upstream to its response headers, by cluster and status code.");
        _cacheHits = meter.CreateCounter<long>("bff.session.cache.hits", description: "Requests whose session came from this instance's session cache (no Redis read).");
        _cacheMisses = meter.CreateCounter<long>("bff.session.cache.misses", description: "Requests whose session was read from Redis while the cache was live (concurrent misses of one session share the read).");
        _cacheEvictions = meter.CreateCounter<long>("bff.session.cache.evictions", description: "Copies dropped from the session cache, by reason: changed (written or ended anywhere in the fleet), capacity (Bff:Session:CacheSize reached), expired (its maximum age).");
        meter.CreateObservableGauge("bff.session.cache.entries", () => _cacheEntries(), description: "Copies in this instance's session cache.");
        meter.CreateObservableGauge("bff.sessions.active", () => Volatile.Read(ref _scheduled), description: "Live sessions with tokens kept fresh, fleet-wide, at the last sweep.");
        meter.CreateObservableGauge("bff.sweeper.due", () => Volatile.Read(ref _due), description: "Sessions due for a background refresh at the last sweep.");
        meter.CreateObservableGauge("bff.sweeper.lag", () => Volatile.Read(ref _lagSeconds), unit: "s", description: "Now minus the oldest due time at the last sweep.");
    }

    public void SessionCacheHit() => _cacheHits.Add(1);

    public void SessionCacheMiss() => _cacheMisses.Add(1);

    /// <param name="reason">changed, capacity or expired.</param>
    public void SessionCacheEvicted(string reason) => _cacheEvictions.Add(1, new KeyValuePair<string, object?>("reason", reason));

    /// <summary>What the entries gauge reads (the cache registers itself).</summary>
    public void ObserveSessionCache(Func<long> entries) => _cacheEntries = entries;

    /// <param name="outcome">succeeded, rejected, refused or failed.</param>
    /// <param name="trigger">request, sweeper or client (the gateway's own token).</param>
    public void Refreshed(string outcome, string trigger, TimeSpan duration)
    {
        var outcomeTag = new KeyValuePair<string, object?>("outcome", outcome);
        _refreshes.Add(1, outcomeTag, new KeyValuePair<string, object?>("trigger", trigger));
        _refreshDuration.Record(duration.TotalSeconds, outcomeTag);
    }

    /// <param name="scheduled">Sessions on the refresh schedule, fleet-wide.</param>
    /// <param name="due">Sessions due for a background refresh.</param>
    /// <param name="oldestDue">The earliest due time among them, null when none is due.</param>
    /// <param name="now">When the sweep measured them.</param>
    public void Swept(long scheduled, long due, DateTimeOffset? oldestDue, DateTimeOffset now)
    {
        Volatile.Write(ref _scheduled, scheduled);
        Volatile.Write(ref _due, due);
        Volatile.Write(ref _lagSeconds, oldestDue is { } oldest ? (now - oldest).TotalSeconds : 0);
    }

    public void JoinedInFlightRefresh() => _joined.Add(1);

    public void RequestGaveUpWaiting() => _requestsGaveUp.Add(1);

    /// <param name="reason">backoff, circuit_open or unhelpful_401.</param>
    public void RefreshHeldBack(string reason) => _heldBack.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void LockWaited(TimeSpan duration) => _lockWait.Record(duration.TotalSeconds);

    public void SessionCreated() => _sessionsCreated.Add(1);

    public void SessionEnded() => _sessionsEnded.Add(1);

    /// <summary>Whether anything listens to <c>bff.upstream.duration</c>: when nothing does, proxied requests are not timed at all.</summary>
    public bool UpstreamDurationEnabled => _upstreamDuration.Enabled;

    public void UpstreamResponded(string clusterId, int statusCode, TimeSpan duration)
    {
        var tags = new TagList
        {
            { "cluster", clusterId },
            { "http.response.status_code", statusCode },
        };
        _upstreamDuration.Record(duration.TotalSeconds, in tags);
    }
}
