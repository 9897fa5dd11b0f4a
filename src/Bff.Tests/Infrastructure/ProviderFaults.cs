using System.Net;
using System.Text;
using Bff.Tokens;

namespace Bff.Tests.Infrastructure;

/// <summary>
/// Fault injection between the gateway and the provider's token endpoint: installed as a delegating handler
/// on the gateway's token-endpoint HTTP client, it passes requests through to the real provider unless told
/// to fail, stall or answer garbage. It also signals each request it sees, so tests synchronise on events.
/// </summary>
public sealed class ProviderFaults : DelegatingHandler
{
    private TaskCompletionSource _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Func<HttpResponseMessage>? Respond { get; set; }

    /// <summary>When set, requests wait (until cancelled by the gateway's timeout) instead of being answered.</summary>
    public bool Stall { get; set; }

    /// <summary>
    /// When set, the provider handles each request (a refresh rotates the token there) but its answer reaches
    /// the gateway only once this completes, or the gateway gives up on the call.
    /// </summary>
    public Task? HoldAnswer { get; set; }

    /// <summary>A real-time delay before each request goes on (a slow provider).</summary>
    public TimeSpan Delay { get; set; }

    public int Requests;
    private int _inFlight;
    private int _maxInFlight;

    /// <summary>The most token-endpoint calls this gateway instance had in flight at once.</summary>
    public int MaxConcurrentRequests => Volatile.Read(ref _maxInFlight);

    /// <summary>Completes when the next token-endpoint request arrives.</summary>
    public Task NextRequest => _arrived.Task;

    public static Action<IServiceCollection> Install(ProviderFaults faults) => services =>
        services.AddHttpClient(nameof(ITokenEndpointClient)).AddHttpMessageHandler(() => faults);

    public static HttpResponseMessage Answer(HttpStatusCode status, string body, string mediaType = "application/json") =>
        new(status) { Content = new StringContent(body, Encoding.UTF8, mediaType) };

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref Requests);
        var inFlight = Interlocked.Increment(ref _inFlight);
        for (var seen = Volatile.Read(ref _maxInFlight); inFlight > seen; seen = Volatile.Read(ref _maxInFlight))
        {
            Interlocked.CompareExchange(ref _maxInFlight, inFlight, seen);
        }

        Interlocked.Exchange(ref _arrived, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        try
        {
            if (Delay > TimeSpan.Zero)
            {
                await Task.Delay(Delay, cancellationToken);
            }

            if (Stall)
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }

            if (Respond is { } respond)
            {
                return respond();
            }

            var response = await base.SendAsync(request, cancellationToken);
            if (HoldAnswer is { } hold)
            {
                await hold.WaitAsync(cancellationToken);
            }

            return response;
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }
}
