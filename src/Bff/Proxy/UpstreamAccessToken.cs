namespace Bff.Proxy;

/// <summary>Request feature: the access token to attach upstream, and the session version it came from.</summary>
internal sealed record UpstreamAccessToken(string Value, long SessionVersion);
