using System.Collections.Concurrent;

namespace Bff.Demo.Api;

/// <summary>The headers of every request that reached the API, for tests to inspect.</summary>
public sealed class UpstreamLog
{
    private readonly ConcurrentQueue<UpstreamRequest> _requests = new();

    public IReadOnlyCollection<UpstreamRequest> Requests => _requests;

    internal void Record(HttpRequest request) => _requests.Enqueue(new UpstreamRequest(
        request.Path,
        request.Headers.Cookie.ToString(),
        request.Headers.Authorization.ToString(),
        request.Headers.TraceParent.ToString()));
}
