namespace Bff.Demo.Api;

/// <summary>What the API received: path, Cookie and Authorization headers.</summary>
public sealed record UpstreamRequest(string Path, string Cookie, string Authorization, string TraceParent);
