using System.Net;
using Bff.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Bff.Tests.Infrastructure;

/// <summary>
/// One gateway instance on real Kestrel (127.0.0.1, free port), built exactly as Program.cs builds it, from
/// configuration keys only. Tests may swap the clock or wrap the token endpoint's HTTP handler for faults.
/// </summary>
public sealed class GatewayHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private GatewayHost(WebApplication app, string address)
    {
        _app = app;
        Address = address;
    }

    public string Address { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>Configuration that points a gateway at <paramref name="provider"/> and its sample API.</summary>
    public static Dictionary<string, string?> ConfigurationFor(ProviderHost provider, string? redis = null) => new()
    {
        ["Bff:Oidc:Authority"] = provider.Authority,
        ["Bff:Oidc:ClientId"] = provider.Settings.ClientId,
        ["Bff:Oidc:ClientSecret"] = provider.Settings.ClientSecret,
        ["Bff:Oidc:RequireHttpsMetadata"] = "false",
        ["Bff:Redis:Configuration"] = redis ?? "",
        ["Bff:Redis:KeyPrefix"] = $"bff-test-{Guid.NewGuid():N}:",
        ["Bff:Tokens:RefreshBeforeExpiry"] = "00:00:30",
        ["Bff:Tokens:IdpTimeout"] = "00:00:05",
        // Request-path tests count provider calls exactly; sweeper tests turn it on.
        ["Bff:Sweeper:Enabled"] = "false",
        ["ReverseProxy:Routes:api:ClusterId"] = "api",
        ["ReverseProxy:Routes:api:Match:Path"] = "/api/{**rest}",
        ["ReverseProxy:Routes:api:Metadata:Bff.AccessToken"] = "User",
        ["ReverseProxy:Routes:public:ClusterId"] = "api",
        ["ReverseProxy:Routes:public:Match:Path"] = "/public/{**rest}",
        ["ReverseProxy:Routes:public:Metadata:Bff.AccessToken"] = "UserOrNone",
        ["ReverseProxy:Routes:public:Transforms:0:PathPattern"] = "/api/{**rest}",
        ["ReverseProxy:Clusters:api:Destinations:d1:Address"] = provider.ApiAddress,
    };

    /// <summary>
    /// Starts a gateway and registers its origin with the OpenIddict provider (none given: another provider, that
    /// knows the origin already; the configuration's <c>urls</c> then fixes the address).
    /// </summary>
    public static async Task<GatewayHost> StartAsync(
        ProviderHost? provider,
        IDictionary<string, string?> configuration,
        Action<IServiceCollection>? configureServices = null,
        string? settingsFile = null)
    {
        var app = Build(configuration, configureServices, settingsFile);
        // Outside xUnit's synchronization context, as in ProviderHost.
        await Task.Run(() => app.StartAsync());
        var address = ProviderHost.Address(app);
        if (provider is not null)
        {
            await provider.AllowGatewayAsync(address);
        }

        // An instance that speaks only HTTP/2 on plain http (prior knowledge) is probed the same way.
        var http2Only = configuration.TryGetValue("Kestrel:EndpointDefaults:Protocols", out var protocols) && protocols == "Http2";
        await WaitUntilReadyAsync(address, http2Only ? HttpVersion.Version20 : HttpVersion.Version11);
        return new GatewayHost(app, address);
    }

    /// <summary>A load balancer sends traffic only once /readyz answers (Redis connected); tests do the same.</summary>
    private static async Task WaitUntilReadyAsync(string address, Version version)
    {
        using var http = new HttpClient { DefaultRequestVersion = version, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!(await http.GetAsync($"{address}/readyz")).IsSuccessStatusCode)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The gateway at {address} did not become ready.");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>
    /// Builds (without starting) a gateway from configuration keys, as an operator would run it; with
    /// <paramref name="settingsFile"/>, also from that JSON file, reloaded when it changes (as appsettings.json is).
    /// </summary>
    public static WebApplication Build(IDictionary<string, string?> configuration, Action<IServiceCollection>? configureServices = null, string? settingsFile = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            EnvironmentName = "Production",
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(configuration);
        if (settingsFile is not null)
        {
            builder.Configuration.AddJsonFile(settingsFile, optional: false, reloadOnChange: true);
        }

        builder.WebHost.UseUrls(configuration.TryGetValue("urls", out var urls) && urls is not null ? urls : "http://127.0.0.1:0");
        builder.Logging.ClearProviders().AddConsole().SetMinimumLevel(LogLevel.Warning);
        configureServices?.Invoke(builder.Services);
        // The parts Program.cs adds.
        builder.Services.AddBff(builder.Configuration)
            .AddSessionStore()
            .AddRefreshSweeper()
            .LoadRoutesFromConfig(builder.Configuration.GetSection("ReverseProxy"))
            .AddTelemetry();
        var app = builder.Build();
        app.MapBff();
        return app;
    }

    /// <summary>Replaces the gateway's clock (register before AddBff, which only TryAdds the system clock).</summary>
    public static Action<IServiceCollection> WithClock(TimeProvider time) => services => services.TryAddSingleton(time);

    public Task StopAsync() => _app.StopAsync();

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
