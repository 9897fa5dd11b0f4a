using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Bff.Tests.Infrastructure;

/// <summary>
/// Records what one gateway's <c>Bff</c> meter measures from now on (other gateways in this test process have
/// meters of their own, told apart by their meter factory).
/// </summary>
public sealed class MeterRecorder : IDisposable
{
    private readonly MeterListener _listener = new();

    public MeterRecorder(IServiceProvider gateway)
    {
        var meters = gateway.GetRequiredService<IMeterFactory>();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "Bff" && ReferenceEquals(instrument.Meter.Scope, meters))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            Measurements.Enqueue(new Measured(instrument.Name, value, tags.ToArray().ToDictionary(t => t.Key, t => t.Value))));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
            Measurements.Enqueue(new Measured(instrument.Name, value, tags.ToArray().ToDictionary(t => t.Key, t => t.Value))));
        _listener.Start();
    }

    public ConcurrentQueue<Measured> Measurements { get; } = new();

    /// <summary>The sum of a counter's measurements, optionally of those with one tag value.</summary>
    public double Sum(string instrument, string? tag = null, object? value = null) =>
        Measurements.Where(m => m.Instrument == instrument && (tag is null || Equals(m.Tags.GetValueOrDefault(tag), value))).Sum(m => m.Value);

    /// <summary>Reads the observable gauges now.</summary>
    public void ObserveGauges() => _listener.RecordObservableInstruments();

    public void Dispose() => _listener.Dispose();

    public sealed record Measured(string Instrument, double Value, Dictionary<string, object?> Tags);
}
