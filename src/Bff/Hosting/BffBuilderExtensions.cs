using Bff.Sweeping;

namespace Bff.Hosting;

/// <summary>The gateway's parts, added on the builder <see cref="BffServiceCollectionExtensions.AddBff"/> returns.</summary>
public static class BffBuilderExtensions
{
    /// <summary>
    /// Keeps sessions, the refresh schedule and the refresh lock in Redis when <c>Bff:Redis:Configuration</c> is
    /// set (any number of instances), otherwise in this process's memory (one instance; sessions end on restart).
    /// </summary>
    public static BffBuilder AddSessionStore(this BffBuilder builder)
    {
        if (builder.Startup.Redis.Enabled)
        {
            SessionStoreServices.AddRedis(builder.Services, builder.Startup.Redis);
        }
        else
        {
            SessionStoreServices.AddInMemory(builder.Services);
        }

        return builder;
    }

    /// <summary>Refreshes sessions ahead of expiry in the background, unless <c>Bff:Sweeper:Enabled</c> is false.</summary>
    public static BffBuilder AddRefreshSweeper(this BffBuilder builder)
    {
        if (builder.Startup.Sweeper.Enabled)
        {
            builder.Services.AddHostedService<SessionSweeper>();
        }

        return builder;
    }

    /// <summary>Reads YARP routes and clusters from <paramref name="section"/> (reloaded when it changes).</summary>
    public static BffBuilder LoadRoutesFromConfig(this BffBuilder builder, IConfiguration section)
    {
        builder.Proxy.LoadFromConfig(section);
        return builder;
    }

    /// <summary>OpenTelemetry traces and metrics, when <c>Bff:Telemetry</c> asks for them.</summary>
    public static BffBuilder AddTelemetry(this BffBuilder builder)
    {
        BffTelemetry.Add(builder.Services, builder.Startup.Telemetry);
        return builder;
    }
}
