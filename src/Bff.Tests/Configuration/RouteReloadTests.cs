using System.Net;
using System.Text.Json;
using Bff.Tests.Infrastructure;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy;

namespace Bff.Tests.Configuration;

/// <summary>
/// YARP routes come from a settings file that the gateway watches, as it watches appsettings.json: a route
/// added at runtime starts working without a restart; an invalid edit is refused with an error entry in the
/// log and the routes in force stay.
/// </summary>
public sealed class RouteReloadTests : IAsyncLifetime
{
    private readonly ProviderHost _provider = new();
    private readonly RecordedLogs _logs = new();
    private readonly string _folder = Directory.CreateTempSubdirectory("bff-reload-").FullName;
    private string SettingsFile => Path.Combine(_folder, "appsettings.json");
    private GatewayHost _gateway = null!;

    public async Task InitializeAsync()
    {
        await _provider.InitializeAsync();
        var configuration = GatewayHost.ConfigurationFor(_provider);
        foreach (var key in configuration.Keys.Where(k => k.StartsWith("ReverseProxy:", StringComparison.Ordinal)).ToArray())
        {
            configuration.Remove(key);
        }

        await WriteRoutesAsync(("api", "/api/{**rest}", "User"));
        _gateway = await GatewayHost.StartAsync(_provider, configuration, _logs.Install(), SettingsFile);
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _provider.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task a_route_added_to_the_settings_file_at_runtime_works_without_a_restart()
    {
        using var browser = new BrowserClient(_gateway.Address);
        await browser.LoginAsync();
        Assert.Equal(HttpStatusCode.NotFound, (await browser.GetAsync("/reports/whoami")).StatusCode);

        await WriteRoutesAsync(("api", "/api/{**rest}", "User"), ("reports", "/reports/{**rest}", "User"));

        var response = await RouteServesAsync(browser, "/reports/whoami");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("Bearer ", _provider.Upstream.Requests.Last().Authorization, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/api/whoami")).StatusCode);
    }

    [Fact]
    public async Task an_invalid_edit_is_refused_with_a_log_entry_and_the_routes_in_force_stay()
    {
        using var browser = new BrowserClient(_gateway.Address);
        await browser.LoginAsync();
        var refused = _logs.NextAsync(entry => entry.Level >= LogLevel.Error && entry.Category.StartsWith("Yarp.", StringComparison.Ordinal));

        // One good new route and one with a policy the gateway does not know: the whole edit is refused.
        await WriteRoutesAsync(("api", "/api/{**rest}", "User"), ("reports", "/reports/{**rest}", "User"), ("broken", "/broken/{**rest}", "Sometimes"));

        var entry = await refused;
        Assert.Contains("Bff.AccessToken has the unknown value 'Sometimes'", entry.Exception?.ToString() ?? entry.Message, StringComparison.Ordinal);
        var routes = _gateway.Services.GetRequiredService<IProxyStateLookup>();
        Assert.False(routes.TryGetRoute("reports", out _));
        Assert.False(routes.TryGetRoute("broken", out _));
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/api/whoami")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await browser.GetAsync("/reports/whoami")).StatusCode);
    }

    /// <summary>
    /// Asks for <paramref name="path"/> until it is routed (bounded): YARP applies a reload in the background
    /// (file watcher, then its state, then the endpoints routing matches against) and announces the last step
    /// to nobody, so the request itself is the event.
    /// </summary>
    private static async Task<HttpResponseMessage> RouteServesAsync(BrowserClient browser, string path)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var response = await browser.GetAsync(path);
            if (response.StatusCode != HttpStatusCode.NotFound)
            {
                return response;
            }

            Assert.True(DateTime.UtcNow < deadline, $"{path} was not routed within 30 s of the edit");
            await Task.Delay(50);
        }
    }

    /// <summary>Rewrites the settings file atomically (as a ConfigMap update does) with these routes to the sample API.</summary>
    private async Task WriteRoutesAsync(params (string Id, string Path, string AccessToken)[] routes)
    {
        var settings = new
        {
            ReverseProxy = new
            {
                Routes = routes.ToDictionary(r => r.Id, r => new
                {
                    ClusterId = "api",
                    Match = new { Path = r.Path },
                    Metadata = new Dictionary<string, string> { ["Bff.AccessToken"] = r.AccessToken },
                    Transforms = new[] { new Dictionary<string, string> { ["PathPattern"] = "/api/{**rest}" } },
                }),
                Clusters = new { api = new { Destinations = new { d1 = new { Address = _provider.ApiAddress } } } },
            },
        };
        var staged = SettingsFile + ".new";
        await File.WriteAllTextAsync(staged, JsonSerializer.Serialize(settings));
        File.Move(staged, SettingsFile, overwrite: true);
    }
}
