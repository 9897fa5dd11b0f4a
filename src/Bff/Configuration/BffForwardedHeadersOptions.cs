using System.Net;

namespace Bff.Configuration;

/// <summary>
/// <c>Bff:ForwardedHeaders</c>: the proxies in front of the gateway (an ingress, a load balancer terminating TLS)
/// whose <c>X-Forwarded-For</c>, <c>-Proto</c> and <c>-Host</c> the gateway believes. None by default: then no
/// forwarded header is read from anyone, not even from loopback (ASP.NET Core's own default trusts 127.0.0.1).
/// </summary>
public sealed class BffForwardedHeadersOptions
{
    /// <summary>Addresses of trusted proxies, e.g. <c>10.0.0.12</c>.</summary>
    public List<string> KnownProxies { get; set; } = [];

    /// <summary>Networks of trusted proxies in CIDR form, e.g. <c>10.0.0.0/8</c> (a Kubernetes ingress's pod range).</summary>
    public List<string> KnownNetworks { get; set; } = [];

    internal bool IsEnabled => KnownProxies.Count > 0 || KnownNetworks.Count > 0;

    internal IEnumerable<IPAddress> Proxies => KnownProxies.Select(IPAddress.Parse);

    internal IEnumerable<IPNetwork> Networks => KnownNetworks.Select(network => IPNetwork.Parse(network));
}
