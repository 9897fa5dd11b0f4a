using Bff.Diagnostics;
using Yarp.ReverseProxy.Forwarder;

namespace Bff.Proxy;

/// <summary>YARP's upstream client, with each request's time to response headers recorded as <c>bff.upstream.duration</c>.</summary>
internal sealed class TimedForwarderHttpClientFactory(BffMetrics metrics, TimeProvider time, ILogger<ForwarderHttpClientFactory> logger)
    : ForwarderHttpClientFactory(logger)
{
    protected override HttpMessageHandler WrapHandler(ForwarderHttpClientContext context, HttpMessageHandler handler) =>
        new UpstreamTimingHandler(context.ClusterId, metrics, time) { InnerHandler = base.WrapHandler(context, handler) };

    private sealed class UpstreamTimingHandler(string clusterId, BffMetrics metrics, TimeProvider time) : DelegatingHandler
    {
        // Without a listener the request passes straight through: no timing, no async step of its own.
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            metrics.UpstreamDurationEnabled ? SendTimedAsync(request, cancellationToken) : base.SendAsync(request, cancellationToken);

        private async Task<HttpResponseMessage> SendTimedAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var started = time.GetTimestamp();
            var response = await base.SendAsync(request, cancellationToken);
            metrics.UpstreamResponded(clusterId, (int)response.StatusCode, time.GetElapsedTime(started));
            return response;
        }
    }
}
