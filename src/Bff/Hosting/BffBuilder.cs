using Bff.Configuration;

namespace Bff.Hosting;

/// <summary>
/// What <see cref="BffServiceCollectionExtensions.AddBff"/> returns: the gateway's core is registered, its parts
/// (session store, refresh sweeper, routes, telemetry) are added by the extensions on this builder, in the style
/// of YARP's <c>AddReverseProxy().LoadFromConfig()</c>.
/// </summary>
public sealed class BffBuilder
{
    internal BffBuilder(IServiceCollection services, IReverseProxyBuilder proxy, BffOptions startup)
    {
        Services = services;
        Proxy = proxy;
        Startup = startup;
    }

    /// <summary>The services the parts are registered into.</summary>
    public IServiceCollection Services { get; }

    /// <summary>YARP's builder, for a host that adds its own route source or transforms.</summary>
    public IReverseProxyBuilder Proxy { get; }

    /// <summary>
    /// The <c>Bff</c> section as read at registration: only what decides which services exist is read from it
    /// (Redis or memory, sweeper on or off, telemetry); everything else reads the validated options at run time.
    /// </summary>
    internal BffOptions Startup { get; }
}
