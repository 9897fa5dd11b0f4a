using Bff.Configuration;
using Bff.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Bff.Hosting;

/// <summary>
/// OpenTelemetry for the gateway: a trace per request (ASP.NET Core) with the refresh and provider-call spans
/// (<see cref="BffActivities"/>) and the client spans of the token endpoint and upstream calls beneath it;
/// metrics from the <c>Bff</c> meter, ASP.NET Core, Kestrel, HttpClient and the runtime. Exported via OTLP
/// when <c>Bff:Telemetry:OtlpEndpoint</c> is set (the standard <c>OTEL_EXPORTER_OTLP_*</c> variables also apply).
/// </summary>
internal static class BffTelemetry
{
    public static void Add(IServiceCollection services, BffTelemetryOptions telemetry)
    {
        if (!telemetry.Collects)
        {
            return;
        }

        var builder = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(telemetry.ServiceName))
            .WithTracing(tracing => tracing
                .AddSource(BffActivities.SourceName)
                .AddAspNetCoreInstrumentation(options => options.Filter = context => !IsProbe(context.Request.Path))
                .AddHttpClientInstrumentation())
            .WithMetrics(metrics => metrics
                .AddMeter(BffMetrics.MeterName)
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation());

        if (!string.IsNullOrWhiteSpace(telemetry.OtlpEndpoint))
        {
            var endpoint = new Uri(telemetry.OtlpEndpoint);
            var protocol = Enum.Parse<OtlpExportProtocol>(telemetry.OtlpProtocol, ignoreCase: true);
            builder.UseOtlpExporter(protocol, endpoint);
        }
    }

    /// <summary>Health probes every few seconds would drown the traces that matter.</summary>
    private static bool IsProbe(PathString path) => path == "/healthz" || path == "/readyz";
}
