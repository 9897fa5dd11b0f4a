using System.Diagnostics.Metrics;
using Bff.Tokens;

namespace Bff.Diagnostics;

/// <summary>The gateway's metrics (meter <c>Bff</c>); see the README's metrics reference.</summary>
internal sealed class BffMetrics
{
    public const string MeterName = "Bff";

    private readonly Counter<long> _refreshes;
    private readonly Counter<long> _joined;
    private readonly Histogram<double> _lockWait;
    private long _due;
    private double _lagSeconds;

    public BffMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _refreshes = meter.CreateCounter<long>("bff.refresh.count", description: "Calls to the provider's token endpoint, by outcome.");
        _joined = meter.CreateCounter<long>("bff.refresh.joined", description: "Requests that joined a refresh already in flight in this process.");
        _lockWait = meter.CreateHistogram<double>("bff.refresh.lock_wait", unit: "s", description: "Time spent waiting for another holder's refresh lock.");
        meter.CreateObservableGauge("bff.sweeper.due", () => Volatile.Read(ref _due), description: "Sessions due for a background refresh at the last sweep.");
        meter.CreateObservableGauge("bff.sweeper.lag", () => Volatile.Read(ref _lagSeconds), unit: "s", description: "Now minus the oldest due time at the last sweep.");
    }

    public void Refreshed(TokenRefreshOutcome outcome, RefreshTrigger trigger) =>
        _refreshes.Add(1,
            new KeyValuePair<string, object?>("outcome", outcome.ToString().ToLowerInvariant()),
            new KeyValuePair<string, object?>("trigger", trigger.ToString().ToLowerInvariant()));

    public void Swept(long due, TimeSpan lag)
    {
        Volatile.Write(ref _due, due);
        Volatile.Write(ref _lagSeconds, lag.TotalSeconds);
    }

    public void JoinedInFlightRefresh() => _joined.Add(1);

    public void LockWaited(TimeSpan duration) => _lockWait.Record(duration.TotalSeconds);
}
