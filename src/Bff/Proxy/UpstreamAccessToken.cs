namespace Bff.Proxy;

/// <summary>Request feature: the access token to attach upstream.</summary>
internal sealed record UpstreamAccessToken(string Value);
