using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using Bff.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using OpenTelemetry.Trace;

namespace Bff.Tests.Observability;

/// <summary>
/// OpenTelemetry through the gateway. Traces, recorded with the in-memory exporter: one trace holds the
/// browser's request, the refresh it needed, the provider call inside it and the upstream call after it.
/// Metrics: the <c>Bff</c> meter of this gateway instance reports what happened.
/// </summary>
public sealed class TelemetryTests : IAsyncLifetime
{
    private readonly ProviderHost _provider = new();
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private readonly RecordedActivities _spans = new();
    private GatewayHost _gateway = null!;

    public async Task InitializeAsync()
    {
        _provider.Settings.AccessTokenLifetime = GatewayFixture.TokenLifetime;
        await _provider.InitializeAsync();
        var configuration = GatewayHost.ConfigurationFor(_provider);
        configuration["Bff:Telemetry:Enabled"] = "true";
        _gateway = await GatewayHost.StartAsync(_provider, configuration, services =>
        {
            GatewayHost.WithClock(_clock)(services);
            services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(_spans));
        });
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _provider.DisposeAsync();
    }

    [Fact]
    public async Task one_trace_spans_the_request_the_refresh_the_provider_call_and_the_upstream_call()
    {
        using var browser = new BrowserClient(_gateway.Address);
        await browser.LoginAsync();
        var session = await _gateway.SessionOfAsync(browser);
        _clock.SetUtcNow(session.Tokens.AccessTokenExpiresAt - TimeSpan.FromSeconds(10));

        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/api/whoami")).StatusCode);

        // The provider and the API run in this process too: the gateway's span is the server span on its port.
        var gatewayPort = new Uri(_gateway.Address).Port;
        var request = await _spans.WaitForAsync(span =>
            span.Kind == ActivityKind.Server && (string?)span.GetTagItem("url.path") == "/api/whoami" && (int?)span.GetTagItem("server.port") == gatewayPort);
        var trace = _spans.InTrace(request.TraceId);
        var refresh = Assert.Single(trace, span => span.OperationName == "bff.refresh");
        Assert.Equal(request.SpanId, refresh.ParentSpanId);
        Assert.Equal("request", refresh.GetTagItem("bff.refresh.trigger"));
        Assert.Equal(browser.SessionHash(), refresh.GetTagItem("bff.session"));

        var tokenEndpoint = Assert.Single(trace, span => span.OperationName == "bff.token_endpoint");
        Assert.Equal(refresh.SpanId, tokenEndpoint.ParentSpanId);
        Assert.Equal("succeeded", tokenEndpoint.GetTagItem("bff.refresh.outcome"));
        var providerCall = Assert.Single(trace, span => span.Kind == ActivityKind.Client && span.ParentSpanId == tokenEndpoint.SpanId);
        Assert.Equal(new Uri(_provider.Authority).Port, providerCall.GetTagItem("server.port"));

        var upstreamCall = Assert.Single(trace, span => span.Kind == ActivityKind.Client && span.ParentSpanId == request.SpanId);
        Assert.Equal(new Uri(_provider.ApiAddress).Port, upstreamCall.GetTagItem("server.port"));
        Assert.True(upstreamCall.StartTimeUtc >= refresh.StartTimeUtc + refresh.Duration, "the upstream call follows the refresh");

        // The API saw the same trace, continued from the gateway's upstream span.
        var traceParent = _provider.Upstream.Requests.Last().TraceParent;
        Assert.Equal($"00-{request.TraceId}-{upstreamCall.SpanId}-01", traceParent);

        // No span carries a token.
        var tags = trace.SelectMany(span => span.TagObjects).Select(tag => tag.Value?.ToString() ?? "").ToArray();
        TokenWitness.AssertNoneIn(tags, _provider.TokenLog.IssuedTokens, "span tags");
    }

    [Fact]
    public async Task the_bff_meter_counts_sessions_refreshes_and_upstream_calls()
    {
        using var recorder = new MeterRecorder(_gateway.Services);
        var measurements = recorder.Measurements;

        using var browser = new BrowserClient(_gateway.Address);
        await browser.LoginAsync();
        var session = await _gateway.SessionOfAsync(browser);
        _clock.SetUtcNow(session.Tokens.AccessTokenExpiresAt - TimeSpan.FromSeconds(10));
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/api/whoami")).StatusCode);

        Assert.Single(measurements, m => m.Instrument == "bff.session.created");
        var refresh = Assert.Single(measurements, m => m.Instrument == "bff.refresh.count");
        Assert.Equal("succeeded", refresh.Tags["outcome"]);
        Assert.Equal("request", refresh.Tags["trigger"]);
        Assert.Single(measurements, m => m.Instrument == "bff.refresh.duration" && m.Value >= 0);
        var upstream = Assert.Single(measurements, m => m.Instrument == "bff.upstream.duration");
        Assert.Equal("api", upstream.Tags["cluster"]);
        Assert.Equal(200, upstream.Tags["http.response.status_code"]);
    }
}
