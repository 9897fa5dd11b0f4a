using Bff.Configuration;
using Bff.Diagnostics;
using Bff.Locking;
using Bff.Proxy;
using Bff.Redis;
using Bff.Sessions;
using Bff.Sweeping;
using Bff.Tokens;
using Bff.Tracking;
using Bff.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.StackExchangeRedis;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Yarp.ReverseProxy.Forwarder;

namespace Bff.Hosting;

/// <summary>Registers the gateway: options, session store, refresh coordination, OIDC login and the YARP proxy.</summary>
public static class BffServiceCollectionExtensions
{
    /// <summary>The raw store, wrapped by <see cref="TrackedSessionStore"/> (schedule and logout index).</summary>
    private const string StoreKey = "Bff.Store";

    /// <summary>Adds the BFF gateway, configured from the <c>Bff</c> and <c>ReverseProxy</c> sections of <paramref name="configuration"/>.</summary>
    public static IServiceCollection AddBff(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<BffOptions>().Bind(configuration.GetSection(BffOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<BffOptions>, BffOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.TryAddSingleton<BffMetrics>();

        // What decides which services exist is read once here; everything else reads the validated options.
        var startup = configuration.GetSection(BffOptions.SectionName).Get<BffOptions>() ?? new BffOptions();
        if (startup.Redis.Enabled)
        {
            AddRedisStore(services, startup.Redis);
        }
        else
        {
            AddInMemoryStore(services);
        }

        services.TryAddSingleton<SessionCache>();
        services.TryAddSingleton<LocalRefreshWaiters>();
        services.TryAddSingleton<RefreshDue>();
        services.TryAddSingleton<ISessionStore>(provider => ActivatorUtilities.CreateInstance<TrackedSessionStore>(
            provider, provider.GetRequiredKeyedService<ISessionStore>(StoreKey)));
        services.TryAddSingleton<SessionCookie>();
        services.TryAddSingleton<SessionResolver>();
        services.TryAddSingleton<ProviderMetadata>();
        services.TryAddSingleton<TokenRefreshCoordinator>();
        services.TryAddSingleton<ClientAuthentication>();
        if (startup.Tokens.RefreshRequest.Format == RefreshRequestFormat.Json)
        {
            services.TryAddSingleton<IRefreshRequestDialect, GoTrueRefreshRequest>();
        }
        else
        {
            services.TryAddSingleton<IRefreshRequestDialect, OAuthRefreshRequest>();
        }

        services.AddHttpClient<ITokenEndpointClient, TokenEndpointClient>(client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false });

        services.AddAuthentication(options =>
            {
                options.DefaultSignInScheme = BffSessionHandler.SchemeName;
                options.DefaultChallengeScheme = OpenIdConnectDefaults.AuthenticationScheme;
            })
            .AddScheme<AuthenticationSchemeOptions, BffSessionHandler>(BffSessionHandler.SchemeName, null)
            .AddOpenIdConnect();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<OpenIdConnectOptions>, OidcHandlerSetup>());

        // Stopped in reverse order: the sweeper stops claiming first, then in-flight refreshes are drained.
        services.AddHostedService<RefreshDrain>();
        if (startup.Sweeper.Enabled)
        {
            services.AddHostedService<SessionSweeper>();
        }

        services.AddOptions<HostOptions>().Configure<IOptions<BffOptions>>((host, bff) =>
        {
            var needed = bff.Value.Tokens.ShutdownTimeout;
            host.ShutdownTimeout = host.ShutdownTimeout > needed ? host.ShutdownTimeout : needed;
        });

        services.AddReverseProxy()
            .LoadFromConfig(configuration.GetSection("ReverseProxy"))
            .AddTransforms<AccessTokenTransformProvider>();
        services.AddSingleton<IForwarderHttpClientFactory, TimedForwarderHttpClientFactory>();

        BffTelemetry.Add(services, startup.Telemetry);
        return services;
    }

    private static void AddInMemoryStore(IServiceCollection services)
    {
        services.TryAddKeyedSingleton<ISessionStore, InMemorySessionStore>(StoreKey);
        services.TryAddSingleton<ISessionIndex, InMemorySessionIndex>();
        services.TryAddSingleton<IReplayGuard, InMemoryReplayGuard>();
        services.TryAddSingleton<IRefreshSchedule, InMemoryRefreshSchedule>();
        services.TryAddSingleton<IRefreshLock, InMemoryRefreshLock>();
        services.TryAddSingleton<IRefreshSignal, InMemoryRefreshSignal>();
        services.TryAddSingleton<ISessionChangeFeed, InProcessSessionChangeFeed>();
        services.AddHealthChecks();
    }

    private static void AddRedisStore(IServiceCollection services, BffRedisOptions redis)
    {
        services.TryAddSingleton<IConnectionMultiplexer>(_ =>
        {
            var configuration = ConfigurationOptions.Parse(redis.Configuration!);
            // Start even while Redis is down; while it is, commands fail at once (503 + Retry-After, /readyz
            // fails) instead of queueing for the command timeout.
            configuration.AbortOnConnectFail = false;
            configuration.BacklogPolicy = BacklogPolicy.FailFast;
            return ConnectionMultiplexer.Connect(configuration);
        });
        services.TryAddSingleton<RedisKeys>();
        services.TryAddKeyedSingleton<ISessionStore, RedisSessionStore>(StoreKey);
        services.TryAddSingleton<ISessionIndex, RedisSessionIndex>();
        services.TryAddSingleton<IReplayGuard, RedisReplayGuard>();
        services.TryAddSingleton<IRefreshSchedule, RedisRefreshSchedule>();
        services.TryAddSingleton<IRefreshLock, RedisRefreshLock>();
        services.TryAddSingleton<RedisRefreshSignal>();
        services.TryAddSingleton<IRefreshSignal>(provider => provider.GetRequiredService<RedisRefreshSignal>());
        services.TryAddSingleton<RedisSessionChangeFeed>();
        services.TryAddSingleton<ISessionChangeFeed>(provider => provider.GetRequiredService<RedisSessionChangeFeed>());
        services.AddSingleton<IRedisSubscription>(provider => provider.GetRequiredService<RedisRefreshSignal>());
        services.AddSingleton<IRedisSubscription>(provider => provider.GetRequiredService<RedisSessionChangeFeed>());
        services.AddHostedService<RedisSubscriptions>();

        // Every instance must read every other instance's OIDC state and encrypted sessions.
        services.AddDataProtection().SetApplicationName("Bff");
        services.AddOptions<KeyManagementOptions>().Configure<IConnectionMultiplexer, RedisKeys>((options, connection, keys) =>
            options.XmlRepository = new RedisXmlRepository(() => connection.GetDatabase(), keys.DataProtectionKeys));
        services.AddHealthChecks().AddCheck<RedisHealthCheck>("redis", tags: ["ready"]);
    }
}
