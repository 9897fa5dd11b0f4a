namespace Bff.Proxy;

/// <summary>Request feature: the <c>Authorization</c> header value to send upstream (<c>Bearer</c> and the token).</summary>
internal sealed record UpstreamAccessToken(string Authorization);
