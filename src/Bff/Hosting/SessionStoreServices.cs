using Bff.Configuration;
using Bff.Locking;
using Bff.Redis;
using Bff.Sessions;
using Bff.Tracking;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.StackExchangeRedis;
using Microsoft.Extensions.DependencyInjection.Extensions;
using StackExchange.Redis;

namespace Bff.Hosting;

/// <summary>The two backings of sessions and refresh coordination: Redis (a fleet) or memory (one instance).</summary>
internal static class SessionStoreServices
{
    /// <summary>The raw store, wrapped by <see cref="TrackedSessionStore"/> (schedule and logout index).</summary>
    public const string RawStoreKey = "Bff.Store";

    public static bool IsRegistered(IServiceProvider services) =>
        services.GetService<IServiceProviderIsService>() is IServiceProviderIsKeyedService keyed
        && keyed.IsKeyedService(typeof(ISessionStore), RawStoreKey);

    public static void AddInMemory(IServiceCollection services)
    {
        services.TryAddKeyedSingleton<ISessionStore, InMemorySessionStore>(RawStoreKey);
        services.TryAddSingleton<ISessionIndex, InMemorySessionIndex>();
        services.TryAddSingleton<IReplayGuard, InMemoryReplayGuard>();
        services.TryAddSingleton<IRefreshSchedule, InMemoryRefreshSchedule>();
        services.TryAddSingleton<IRefreshLock, InMemoryRefreshLock>();
        services.TryAddSingleton<IRefreshSignal, InMemoryRefreshSignal>();
        services.TryAddSingleton<ISessionChangeFeed, InProcessSessionChangeFeed>();
        services.TryAddSingleton<IClientTokenStore, InMemoryClientTokenStore>();
        services.AddHealthChecks();
    }

    public static void AddRedis(IServiceCollection services, BffRedisOptions redis)
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
        services.TryAddKeyedSingleton<ISessionStore, RedisSessionStore>(RawStoreKey);
        services.TryAddSingleton<ISessionIndex, RedisSessionIndex>();
        services.TryAddSingleton<IReplayGuard, RedisReplayGuard>();
        services.TryAddSingleton<IRefreshSchedule, RedisRefreshSchedule>();
        services.TryAddSingleton<IRefreshLock, RedisRefreshLock>();
        services.TryAddSingleton<IClientTokenStore, RedisClientTokenStore>();
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
