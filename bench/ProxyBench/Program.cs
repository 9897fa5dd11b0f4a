// Proxy benchmark: an authenticated GET through the gateway against bare YARP, nginx and the backend itself,
// measured in the same run with wrk in interleaved rounds (A B C D E A B C D E ...), reported as medians and
// ratios to bare YARP. The session comes from the real login flow against the demo provider.
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Bff.Tests.Infrastructure;
using Yarp.ReverseProxy.Configuration;

// "hold": start everything, print the targets (with the session cookie) and wait, for a profiler (dotnet-trace).
var hold = args.Length > 0 && args[0] == "hold";
var seconds = args.Length > 0 && !hold ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10;
var rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3;

// The backend keeps the last Authorization header it saw on /api/capture: the gateway's bearer token, which the
// like-for-like bare YARP row then sends itself.
string? capturedAuthorization = null;
var backend = await StartAsync(Slim(), app =>
{
    app.MapGet("/api/data", () => Results.Json(new { id = 42, name = "bench", values = new[] { 1, 2, 3 } }));
    app.MapGet("/api/capture", (HttpRequest request) =>
    {
        capturedAuthorization = request.Headers.Authorization.ToString();
        return Results.NoContent();
    });
});
// Bare YARP on the same host defaults as the gateway (WebApplication.CreateBuilder, Kestrel defaults,
// Production, the console logger at Warning as GatewayHost sets it): the comparison isolates what the gateway
// adds, not what a host without logging leaves out (with a logger, ASP.NET Core starts an Activity and a log
// scope per request and HttpClient sends traceparent upstream). The same YARP without any logger, as the
// first runs of this benchmark had it, is a row of its own: it shows what that costs.
async Task<string> BareYarpAsync(bool withLogger)
{
    var builder = Host(WebApplication.CreateBuilder());
    if (withLogger)
    {
        builder.Logging.AddConsole().SetMinimumLevel(LogLevel.Warning);
    }

    builder.Services.AddReverseProxy().LoadFromMemory(
        [new RouteConfig { RouteId = "api", ClusterId = "api", Match = new RouteMatch { Path = "/api/{**rest}" } }],
        [new ClusterConfig { ClusterId = "api", Destinations = new Dictionary<string, DestinationConfig> { ["d1"] = new() { Address = backend + "/" } } }]);
    return await StartAsync(builder, app => app.MapReverseProxy());
}

var yarp = await BareYarpAsync(withLogger: true);
var silentYarp = await BareYarpAsync(withLogger: false);
using var nginx = Nginx.Start(new Uri(backend));

var provider = new ProviderHost();
provider.Settings.AccessTokenLifetime = TimeSpan.FromHours(1);
await provider.InitializeAsync();
var redis = new RedisServer();
await redis.InitializeAsync();

async Task<(string Address, string Cookie)> GatewayAsync(string? redisConfiguration)
{
    var configuration = GatewayHost.ConfigurationFor(provider, redisConfiguration);
    configuration["ReverseProxy:Clusters:api:Destinations:d1:Address"] = backend + "/";
    // Logging as shipped: the root appsettings.json's levels (which keep ASP.NET Core's per-request Activity and
    // log scope off), at Warning.
    foreach (var (key, value) in new ConfigurationBuilder().AddJsonFile(Repository.PathOf("appsettings.json")).Build().GetSection("Logging").AsEnumerable())
    {
        configuration[key] = value;
    }

    configuration["Logging:LogLevel:Default"] = "Warning";
    // An anonymous route (Bff.AccessToken None) splits the gateway's cost: its pipeline vs the session work.
    configuration["ReverseProxy:Routes:anon:ClusterId"] = "api";
    configuration["ReverseProxy:Routes:anon:Match:Path"] = "/anon/{**rest}";
    configuration["ReverseProxy:Routes:anon:Transforms:0:PathPattern"] = "/api/{**rest}";
    var gateway = await GatewayHost.StartAsync(provider, configuration);
    using var browser = new BrowserClient(gateway.Address);
    await browser.LoginAsync();
    (await browser.GetAsync("/api/capture")).EnsureSuccessStatusCode();
    return (gateway.Address, browser.GatewayCookie("__Host-bff")!.Value);
}

var inMemory = await GatewayAsync(null);
var inRedis = await GatewayAsync(redis.Configuration);
// Every target gets X-CSRF: 1. The gateway rows add the session cookie. The like-for-like row sends bare YARP
// what a browser without a BFF would: the same cookie header and the gateway's bearer token, so the backend
// receives the same bytes and the difference is the gateway's own work.
string[] csrf = ["X-CSRF: 1"];
var sameBytes = csrf.Concat([$"Cookie: __Host-bff={inMemory.Cookie}", $"Authorization: {capturedAuthorization}"]).ToArray();
var targets = new (string Name, string Url, string[] Headers)[]
{
    ("direct to backend", backend + "/api/data", csrf),
    ("nginx", nginx.Address + "/api/data", csrf),
    ("bare YARP", yarp + "/api/data", csrf),
    ("bare YARP, client sends cookie and bearer token", yarp + "/api/data", sameBytes),
    ("bare YARP without a logger", silentYarp + "/api/data", csrf),
    ("gateway, in-memory store", inMemory.Address + "/api/data", [.. csrf, $"Cookie: __Host-bff={inMemory.Cookie}"]),
    ("gateway, Redis store", inRedis.Address + "/api/data", [.. csrf, $"Cookie: __Host-bff={inRedis.Cookie}"]),
    ("gateway, anonymous route", inMemory.Address + "/anon/data", csrf),
};
if (string.IsNullOrEmpty(capturedAuthorization))
{
    throw new InvalidOperationException("The gateway did not send a bearer token to /api/capture.");
}

if (hold)
{
    Console.WriteLine($"process {Environment.ProcessId}");
    foreach (var (name, url, headers) in targets)
    {
        Console.WriteLine($"{name}: wrk -t2 -c32 -d30s {string.Join(' ', headers.Select(h => $"-H '{h}'"))} {url}");
    }

    await Task.Delay(Timeout.Infinite);
}

var results = targets.ToDictionary(t => t.Name, _ => new List<(double Rps, double P50, double P99)>());
for (var round = 1; round <= rounds; round++)
{
    foreach (var (name, url, headers) in targets)
    {
        var run = await WrkAsync(url, headers, seconds);
        results[name].Add(run);
        Console.WriteLine($"round {round} {name,-48} {run.Rps,10:F0} req/s  p50 {run.P50,6:F2} ms  p99 {run.P99,6:F2} ms");
    }
}

double Median(IEnumerable<double> values) { var sorted = values.Order().ToArray(); return sorted[sorted.Length / 2]; }
var baseline = results["bare YARP"];
var (baseRps, baseP99) = (Median(baseline.Select(r => r.Rps)), Median(baseline.Select(r => r.P99)));
Console.WriteLine();
Console.WriteLine($"Machine: {Environment.ProcessorCount} cores; wrk -t2 -c32 -d{seconds}s, {rounds} interleaved rounds, medians.");
Console.WriteLine();
Console.WriteLine("| target | requests/s | p50 | p99 | throughput vs bare YARP | p99 minus bare YARP p99 |");
Console.WriteLine("|---|---|---|---|---|---|");
foreach (var (name, _, _) in targets)
{
    var runs = results[name];
    var (rps, p50, p99) = (Median(runs.Select(r => r.Rps)), Median(runs.Select(r => r.P50)), Median(runs.Select(r => r.P99)));
    Console.WriteLine($"| {name} | {rps:F0} | {p50:F2} ms | {p99:F2} ms | {rps / baseRps:F2}x | {p99 - baseP99:+0.00;-0.00} ms |");
}

await provider.DisposeAsync();
await redis.DisposeAsync();
return 0;

static WebApplicationBuilder Slim() => Host(WebApplication.CreateSlimBuilder());

static WebApplicationBuilder Host(WebApplicationBuilder builder)
{
    builder.WebHost.UseUrls("http://127.0.0.1:0");
    builder.Logging.ClearProviders();
    return builder;
}

static async Task<string> StartAsync(WebApplicationBuilder builder, Action<WebApplication> map)
{
    var app = builder.Build();
    map(app);
    await app.StartAsync();
    return app.Urls.First();
}

static async Task<(double Rps, double P50, double P99)> WrkAsync(string url, string[] headers, int seconds)
{
    var arguments = new List<string> { "-t2", "-c32", $"-d{seconds}s", "--latency" };
    foreach (var header in headers)
    {
        arguments.AddRange(["-H", header]);
    }

    arguments.Add(url);
    using var wrk = Process.Start(new ProcessStartInfo("wrk", arguments) { RedirectStandardOutput = true })!;
    var output = await wrk.StandardOutput.ReadToEndAsync();
    await wrk.WaitForExitAsync();
    if (Regex.IsMatch(output, @"Non-2xx or 3xx responses"))
    {
        throw new InvalidOperationException($"{url} answered errors:\n{output}");
    }

    double Latency(string percentile)
    {
        var match = Regex.Match(output, $@"^\s*{percentile}%\s+([\d.]+)(us|ms|s)\s*$", RegexOptions.Multiline);
        var value = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        return match.Groups[2].Value switch { "us" => value / 1000, "s" => value * 1000, _ => value };
    }

    var rps = double.Parse(Regex.Match(output, @"Requests/sec:\s+([\d.]+)").Groups[1].Value, CultureInfo.InvariantCulture);
    return (rps, Latency("50"), Latency("99"));
}
