namespace Bff.Configuration;

/// <summary><c>Bff:Proxy</c>: how the gateway reacts when the upstream API rejects a token it believed valid.</summary>
public sealed class BffProxyOptions
{
    /// <summary>On an upstream 401, refresh that token once and replay the request once.</summary>
    public bool RetryOnUnauthorized { get; set; } = true;

    /// <summary>Largest request body buffered so the request can be replayed; larger requests are not retried.</summary>
    public long MaxReplayBodyBytes { get; set; } = 64 * 1024;
}
