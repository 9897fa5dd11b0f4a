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

/// <summary>
/// Registers the gateway's core: options, session cache and cookie, refresh coordination and the token endpoint,
/// OIDC login, the graceful-shutdown drain and YARP with the access-token transform. The parts are added on the
/// returned <see cref="BffBuilder"/> (<see cref="BffBuilderExtensions"/>).
/// </summary>
public static class BffServiceCollectionExtensions
{
    /// <summary>Adds the BFF gateway's core, configured from the <c>Bff</c> section of <paramref name="configuration"/>.</summary>
    public static BffBuilder AddBff(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<BffOptions>().Bind(configuration.GetSection(BffOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<BffOptions>, BffOptionsValidator>());
        services.AddSingleton<IValidateOptions<BffOptions>>(new UnknownSettingsValidator(configuration));
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.TryAddSingleton<BffMetrics>();

        services.TryAddSingleton<SessionCache>();
        services.TryAddSingleton<LocalRefreshWaiters>();
        services.TryAddSingleton<RefreshDue>();
        services.TryAddSingleton<ISessionStore>(provider => ActivatorUtilities.CreateInstance<TrackedSessionStore>(
            provider, provider.GetRequiredKeyedService<ISessionStore>(SessionStoreServices.RawStoreKey)));
        services.TryAddSingleton<SessionCookie>();
        services.TryAddSingleton<IdleTouches>();
        services.AddHostedService(provider => provider.GetRequiredService<IdleTouches>());
        services.TryAddSingleton<SessionResolver>();
        services.TryAddSingleton<ProviderMetadata>();
        services.TryAddSingleton<TokenRefreshCoordinator>();
        services.TryAddSingleton<RejectedTokenReplacements>();
        services.TryAddSingleton<TokenEndpointBreaker>();
        services.TryAddSingleton<TargetUse>();
        services.TryAddSingleton<ClientTokenProvider>();
        services.TryAddSingleton<ClientAuthentication>();

        var startup = configuration.GetSection(BffOptions.SectionName).Get<BffOptions>() ?? new BffOptions();
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

        // Hosted services stop in reverse order: the drain is registered before the sweeper (a part), so the
        // sweeper stops claiming first and in-flight refreshes are drained after it.
        services.AddHostedService<RefreshDrain>();
        services.AddOptions<HostOptions>().Configure<IOptions<BffOptions>>((host, bff) =>
        {
            var needed = bff.Value.Tokens.ShutdownTimeout;
            host.ShutdownTimeout = host.ShutdownTimeout > needed ? host.ShutdownTimeout : needed;
        });

        services.TryAddSingleton<StreamOrigins>();
        services.TryAddSingleton(provider => ActivatorUtilities.CreateInstance<LiveStreams>(
            provider, provider.GetRequiredKeyedService<ISessionStore>(SessionStoreServices.RawStoreKey)));
        services.AddSingleton<ISessionChangeListener>(provider => provider.GetRequiredService<LiveStreams>());
        services.AddHostedService(provider => provider.GetRequiredService<LiveStreams>());

        var proxy = services.AddReverseProxy().AddTransforms<AccessTokenTransformProvider>();
        services.AddSingleton<IForwarderHttpClientFactory, TimedForwarderHttpClientFactory>();
        return new BffBuilder(services, proxy, startup);
    }
}
