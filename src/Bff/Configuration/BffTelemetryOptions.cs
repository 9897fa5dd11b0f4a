namespace Bff.Configuration;

/// <summary>
/// <c>Bff:Telemetry</c>: OpenTelemetry traces and metrics. Off unless an OTLP endpoint is set (or
/// <c>Enabled</c> for a host that adds its own exporter), so an unobserved gateway pays nothing for spans.
/// </summary>
public sealed class BffTelemetryOptions
{
    /// <summary>OTLP collector URL (e.g. <c>http://otel-collector:4317</c>); traces and metrics are exported there.</summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary><c>Grpc</c> (port 4317) or <c>HttpProtobuf</c> (port 4318).</summary>
    public string OtlpProtocol { get; set; } = "Grpc";

    /// <summary>Collects traces and metrics even without an OTLP endpoint, for hosts that add their own exporter.</summary>
    public bool Enabled { get; set; }

    /// <summary>The <c>service.name</c> resource attribute.</summary>
    public string ServiceName { get; set; } = "bff";

    internal bool Collects => Enabled || !string.IsNullOrWhiteSpace(OtlpEndpoint);
}
