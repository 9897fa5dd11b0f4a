namespace Bff.Proxy;

/// <summary>
/// Request feature for the reactive path: armed for a replayable request, it lets the response transform hold
/// back one upstream 401 (its body is not copied, nothing reaches the browser) so the request can be replayed
/// with a refreshed token.
/// </summary>
internal sealed class UpstreamRetry
{
    public bool Armed { get; set; } = true;

    /// <summary>The upstream answered 401 and the transform held it back.</summary>
    public bool Requested { get; set; }
}
