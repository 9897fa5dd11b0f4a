// Proxy benchmark: an authenticated GET through the gateway against bare YARP, nginx and the backend itself,
// measured in the same run with wrk, each target's runs between runs of bare YARP, reported as medians and
// ratios to the bare YARP runs either side. Every server runs in its own process; the session comes from the
// real login flow against the demo provider.
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Bff.Tests.Infrastructure;
using Yarp.ReverseProxy.Configuration;

// Child roles: this program is also the benchmark's backend and its bare YARP, each started as a process.
switch (args)
{
    case ["backend"]:
        // /api/capture keeps the Authorization header it receives (the gateway's bearer token), and the benchmark
        // reads it from /captured directly, not through a gateway: the like-for-like bare YARP row sends it.
        var captured = "";
        return await ServeAsync(Host(WebApplication.CreateSlimBuilder()), app =>
        {
            app.MapGet("/api/data", () => Results.Json(new { id = 42, name = "bench", values = new[] { 1, 2, 3 } }));
            app.MapGet("/api/capture", (HttpRequest request) => { captured = request.Headers.Authorization.ToString(); return Results.NoContent(); });
            app.MapGet("/captured", () => captured);
        });
    case ["yarp", var backendAddress, var logging]:
        return await ServeAsync(BareYarp(backendAddress, withLogger: logging == "logger"), app => app.MapReverseProxy());
}

// "hold": start everything, print the targets (with their process ids and wrk command lines) and wait, for a profiler.
var hold = args.Length > 0 && args[0] == "hold";
var seconds = args.Length > 0 && !hold ? int.Parse(args[0], CultureInfo.InvariantCulture) : 5;
var rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 8;
// The many-session rows (issue 16): this many distinct sessions in Redis, each request choosing one at random.
var manySessions = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 100_000;
// Optionally only the targets whose name matches this regular expression (bare YARP, the baseline, always runs).
var only = args.Length > 3 ? new Regex(args[3]) : null;

await using var backend = await ServerProcess.StartAsync("backend");
await using var yarp = await ServerProcess.StartAsync("yarp", backend.Address, "logger");
await using var silentYarp = await ServerProcess.StartAsync("yarp", backend.Address, "silent");
using var nginx = Nginx.Start(new Uri(backend.Address));

var provider = new ProviderHost();
provider.Settings.AccessTokenLifetime = TimeSpan.FromHours(1);
await provider.InitializeAsync();
var redis = new RedisServer();
await redis.InitializeAsync();

async Task<(GatewayProcess Process, string Cookie, string Authorization, Dictionary<string, string?> Configuration)> GatewayAsync(string? redisConfiguration)
{
    var configuration = GatewayHost.ConfigurationFor(provider, redisConfiguration);
    configuration["ReverseProxy:Clusters:api:Destinations:d1:Address"] = backend.Address + "/";
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
    // A resource route (issue 13): its own token for one API, from the session's refresh token, held beside the
    // sign-in token and served from the session cache like it.
    configuration["ReverseProxy:Routes:res:ClusterId"] = "api";
    configuration["ReverseProxy:Routes:res:Match:Path"] = "/res/{**rest}";
    configuration["ReverseProxy:Routes:res:Metadata:Bff.AccessToken"] = "User";
    configuration["ReverseProxy:Routes:res:Metadata:Bff.AccessToken.Resource"] = Bff.Demo.Api.DemoApi.Resources[0];
    configuration["ReverseProxy:Routes:res:Transforms:0:PathPattern"] = "/api/{**rest}";
    var gateway = await GatewayProcess.StartAsync(provider, configuration);
    using var browser = new BrowserClient(gateway.Address);
    await browser.LoginAsync();
    (await browser.GetAsync("/api/capture")).EnsureSuccessStatusCode();
    using var direct = new HttpClient();
    var authorization = await direct.GetStringAsync(backend.Address + "/captured");
    if (!authorization.StartsWith("Bearer ", StringComparison.Ordinal))
    {
        throw new InvalidOperationException("The gateway did not send a bearer token to /api/capture.");
    }

    return (gateway, browser.GatewayCookie("__Host-bff")!.Value, authorization, configuration);
}

var inMemory = await GatewayAsync(null);
await using var inMemoryProcess = inMemory.Process;
var inRedis = await GatewayAsync(redis.Configuration);
await using var inRedisProcess = inRedis.Process;

// Many sessions: copies of the signed-in one (same tokens and claims, so the same bytes per session) under new
// ids, written through a gateway host in this process that shares the Redis gateways' key prefix and key ring.
// Two more gateway processes serve them: one with the default session cache (100,000), one sized 10% above them.
var cookieFile = Path.GetTempFileName();
await using var seeder = GatewayHost.Build(inRedis.Configuration);
var cookies = new string[manySessions];
// Last active at random within the idle-timeout touch interval (4.8 minutes at the default 8 hours), as the
// users of a steady state are: sessions all seeded at one instant would all fall due for their touch at one
// instant too, a wave of Redis writes that a real population does not make. Spread again before each
// many-session gateway's warm-up (below): the gateway measured first touches them all meanwhile.
var touchInterval = TimeSpan.FromHours(8) / 100;
var seeding = Stopwatch.StartNew();
// The first copy alone: it loads the Data Protection key ring, which is read synchronously from Redis; 32
// copies asking at once starved the thread pool until the read timed out.
cookies[0] = await SessionSeeding.CopyAsync(seeder.Services, inRedis.Cookie);
await Parallel.ForEachAsync(Enumerable.Range(1, manySessions - 1), new ParallelOptions { MaxDegreeOfParallelism = 32 },
    async (i, _) => cookies[i] = await SessionSeeding.CopyAsync(seeder.Services, inRedis.Cookie, touchInterval * Random.Shared.NextDouble()));
await File.WriteAllLinesAsync(cookieFile, cookies);
Console.WriteLine($"seeded {manySessions} sessions in {seeding.Elapsed.TotalSeconds:F1} s");

await using var manyDefaultCache = await GatewayProcess.StartAsync(provider, inRedis.Configuration);
await using var manyWholeCache = await GatewayProcess.StartAsync(provider, new Dictionary<string, string?>(inRedis.Configuration)
{
    ["Bff:Session:CacheSize"] = (manySessions + manySessions / 10).ToString(CultureInfo.InvariantCulture),
});
var randomSession = new[] { Repository.PathOf("bench/ProxyBench/random-session.lua"), cookieFile };
// Every target gets X-CSRF: 1. The gateway rows add the session cookie. The like-for-like row sends bare YARP
// what a browser without a BFF would: the same cookie header and the gateway's bearer token, so the backend
// receives the same bytes and the difference is the gateway's own work.
string[] csrf = ["X-CSRF: 1"];
var sameBytes = csrf.Concat([$"Cookie: __Host-bff={inMemory.Cookie}", $"Authorization: {inMemory.Authorization}"]).ToArray();
var targets = new (string Name, string Url, string[] Headers, int ProcessId, string[]? Script)[]
{
    ("direct to backend", backend.Address + "/api/data", csrf, backend.ProcessId, null),
    ("nginx", nginx.Address + "/api/data", csrf, nginx.ProcessId, null),
    ("bare YARP", yarp.Address + "/api/data", csrf, yarp.ProcessId, null),
    ("bare YARP, client sends cookie and bearer token", yarp.Address + "/api/data", sameBytes, yarp.ProcessId, null),
    ("bare YARP without a logger", silentYarp.Address + "/api/data", csrf, silentYarp.ProcessId, null),
    ("gateway, in-memory store", inMemory.Process.Address + "/api/data", [.. csrf, $"Cookie: __Host-bff={inMemory.Cookie}"], inMemory.Process.ProcessId, null),
    ("gateway, Redis store", inRedis.Process.Address + "/api/data", [.. csrf, $"Cookie: __Host-bff={inRedis.Cookie}"], inRedis.Process.ProcessId, null),
    ("gateway, Redis store, resource route", inRedis.Process.Address + "/res/data", [.. csrf, $"Cookie: __Host-bff={inRedis.Cookie}"], inRedis.Process.ProcessId, null),
    ("gateway, anonymous route", inMemory.Process.Address + "/anon/data", csrf, inMemory.Process.ProcessId, null),
    // The same wrk script against bare YARP: what generating a random cookie per request costs wrk itself.
    ("bare YARP, random session cookies (wrk script)", yarp.Address + "/api/data", [], yarp.ProcessId, randomSession),
    ($"gateway, Redis store, {manySessions:N0} sessions, default cache", manyDefaultCache.Address + "/api/data", [], manyDefaultCache.ProcessId, randomSession),
    ($"gateway, Redis store, {manySessions:N0} sessions, cache holds all", manyWholeCache.Address + "/api/data", [], manyWholeCache.ProcessId, randomSession),
};

if (only is not null)
{
    targets = [.. targets.Where(t => t.Name == "bare YARP" || only.IsMatch(t.Name))];
}

if (hold)
{
    foreach (var (name, url, headers, processId, script) in targets)
    {
        var scripted = script is [var file, .. var scriptArguments] ? $" -s {file} {url} -- {string.Join(' ', scriptArguments)}" : $" {url}";
        Console.WriteLine($"{name} (process {processId}): wrk -t2 -c32 -d30s {string.Join(' ', headers.Select(h => $"-H '{h}'"))}{scripted}");
    }

    await Task.Delay(Timeout.Infinite);
}

// Each target in turn: a warm-up, not measured, then its rounds, each run between two runs of bare YARP (B T B
// T B ...), its ratio taken to the mean of the bare YARP runs either side, seconds apart: this shared machine's
// slow minutes (a neighbour's load: in one earlier run every target at a round's end ran 0.57x-0.82x, at its
// start 0.9x-1.0x) cancel out of such a ratio, not out of one taken against a bare YARP run minutes away.
//
// The warm-up lets JIT tiers, connection pools and caches settle. A gateway is steady only after about 100 s
// of load: tiered compilation still compiled 93 methods a second at 60 s (dotnet-counters), and a
// many-session gateway served 20,800, 24,100 and 24,800 requests/s in 20-s runs after 60, 80 and 100 s of load
// (its JIT compiled 352, 285 and 45 methods meanwhile). So the scripted targets warm for 90 s (their cache
// filling from Redis too: that rate is printed), the other gateways for 30 s, the rest 5 s.
//
// One target's rounds follow each other, not every target's in turn: a gateway's clock-driven work (a touch
// per session per touch interval, a re-read per copy per CacheMaxAge) falls due while it idles, and lands in
// its next run. With ten runs of others between two of its own, a many-session gateway wrote about ten times
// its steady rate of touches, and once its copies (all read within its warm-up) reached their maximum age, a
// third of its requests re-read Redis, where a steady state re-reads one in a hundred. Measured this way it
// idles only for bare YARP's runs, and its rounds end before its first copies age (7.5 minutes): the rows
// leave out the re-read of each copy once per 7.5-10 minutes (about 1 % of requests in a steady state; see
// bench/RESULTS.md). The sessions' activity is spread again before each many-session gateway's warm-up, so
// that their touches fall due at the steady rate during its rounds, not all in one gateway's.
//
// A gateway row driven by the wrk script (a random session per request) is compared with bare YARP driven by
// the same script, so that what the script costs wrk (0.95x-1.02x of plain bare YARP: its own row, compared
// with plain bare YARP) is not counted as the gateway's.
var bareYarp = targets.Single(t => t.Name == "bare YARP");
var scriptedBareYarp = targets.FirstOrDefault(t => t.ProcessId == bareYarp.ProcessId && t.Script is not null);
var results = targets.ToDictionary(t => t.Name, _ => new List<(double Rps, double P50, double P99, double Ratio, double P99Difference)>());
async Task<(double Rps, double P50, double P99)> RunAsync(string label, (string Name, string Url, string[] Headers, int ProcessId, string[]? Script) target, int runSeconds)
{
    var run = await WrkAsync(target.Url, target.Headers, target.Script, runSeconds);
    Console.WriteLine($"{label,-8} {target.Name,-48} {run.Rps,10:F0} req/s  p50 {run.P50,6:F2} ms  p99 {run.P99,6:F2} ms");
    return run;
}

// The bare YARP row is its runs as a baseline; the scripted one's row is its own rounds against bare YARP.
void Baseline((string Name, string Url, string[] Headers, int ProcessId, string[]? Script) baseline, (double Rps, double P50, double P99) run)
{
    if (baseline == bareYarp)
    {
        results[bareYarp.Name].Add((run.Rps, run.P50, run.P99, 1, 0));
    }
}

// A gateway's CPU time and the Redis commands served are read before and after its rounds (the other gateways
// idle meanwhile, bare YARP uses no Redis): its cost per proxied request.
var costs = new List<string>();
await RunAsync("warm-up", bareYarp, Math.Min(seconds, 5));
foreach (var target in targets.Where(t => t != bareYarp))
{
    var isGateway = target.Name.StartsWith("gateway", StringComparison.Ordinal);
    if (isGateway && target.Script is not null)
    {
        await SessionSeeding.SpreadLastActivityAsync(seeder.Services, cookies, touchInterval);
    }

    await RunAsync("warm-up", target, target.Script is not null ? 90 : isGateway ? 30 : Math.Min(seconds, 5));
    using var process = Process.GetProcessById(target.ProcessId);
    var cpuBefore = process.TotalProcessorTime;
    var commandsBefore = await RedisCommandCounts.ReadAsync(redis.Connection);
    var baseline = isGateway && target.Script is not null && scriptedBareYarp.Name is not null ? scriptedBareYarp : bareYarp;
    var before = await RunAsync("round 0", baseline, seconds);
    Baseline(baseline, before);
    for (var round = 1; round <= rounds; round++)
    {
        var run = await RunAsync($"round {round}", target, seconds);
        var after = await RunAsync($"round {round}", baseline, seconds);
        Baseline(baseline, after);
        results[target.Name].Add((run.Rps, run.P50, run.P99, run.Rps / ((before.Rps + after.Rps) / 2), run.P99 - (before.P99 + after.P99) / 2));
        before = after;
    }

    if (isGateway)
    {
        process.Refresh();
        var requests = (long)results[target.Name].Sum(r => r.Rps * seconds);
        var cpuPerRequest = (process.TotalProcessorTime - cpuBefore).TotalMilliseconds * 1000 / Math.Max(1, requests);
        costs.Add($"{target.Name}: gateway CPU {cpuPerRequest:F1} us per request ({1_000_000 / cpuPerRequest:F0} requests per core-second); " +
            $"Redis commands per request: {RedisCommandCounts.PerUnit(commandsBefore, await RedisCommandCounts.ReadAsync(redis.Connection), requests, "info")}");
    }
}

static double Median(IEnumerable<double> values) { var sorted = values.Order().ToArray(); return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2; }
Console.WriteLine();
Console.WriteLine($"Machine: {Environment.ProcessorCount} cores; wrk -t2 -c32 -d{seconds}s, {rounds} rounds per target, each between two bare YARP runs (with the same wrk script for the scripted gateway rows); medians, and ratios and differences to the bare YARP runs either side.");
Console.WriteLine();
Console.WriteLine("| target | requests/s | p50 | p99 | throughput vs bare YARP either side, driven alike (median, range) | p99 minus theirs (median, range) |");
Console.WriteLine("|---|---|---|---|---|---|");
foreach (var (name, _, _, _, _) in targets)
{
    var runs = results[name];
    var ratios = runs.Select(r => r.Ratio).ToArray();
    var p99Differences = runs.Select(r => r.P99Difference).ToArray();
    Console.WriteLine($"| {name} | {Median(runs.Select(r => r.Rps)):F0} | {Median(runs.Select(r => r.P50)):F2} ms | {Median(runs.Select(r => r.P99)):F2} ms " +
        $"| {Median(ratios):F2}x ({ratios.Min():F2}-{ratios.Max():F2}) | {SignedDifference.Format(Median(p99Differences), 2)} ms ({SignedDifference.Format(p99Differences.Min(), 2)} to {SignedDifference.Format(p99Differences.Max(), 2)}) |");
}

Console.WriteLine();
costs.ForEach(Console.WriteLine);

await provider.DisposeAsync();
await redis.DisposeAsync();
File.Delete(cookieFile);
return 0;

static WebApplicationBuilder Host(WebApplicationBuilder builder)
{
    builder.WebHost.UseUrls("http://127.0.0.1:0");
    builder.Logging.ClearProviders();
    return builder;
}

// Bare YARP on the same host defaults as the gateway (WebApplication.CreateBuilder, Kestrel defaults,
// Production, the console logger at Warning as GatewayHost sets it): the comparison isolates what the gateway
// adds, not what a host without logging leaves out (with a logger, ASP.NET Core starts an Activity and a log
// scope per request and HttpClient sends traceparent upstream). The same YARP without any logger, as the
// first runs of this benchmark had it, is a row of its own: it shows what that costs.
static WebApplicationBuilder BareYarp(string backendAddress, bool withLogger)
{
    var builder = Host(WebApplication.CreateBuilder());
    if (withLogger)
    {
        builder.Logging.AddConsole().SetMinimumLevel(LogLevel.Warning);
    }

    builder.Services.AddReverseProxy().LoadFromMemory(
        [new RouteConfig { RouteId = "api", ClusterId = "api", Match = new RouteMatch { Path = "/api/{**rest}" } }],
        [new ClusterConfig { ClusterId = "api", Destinations = new Dictionary<string, DestinationConfig> { ["d1"] = new() { Address = backendAddress + "/" } } }]);
    return builder;
}

// A child role's life: listen, say where, serve until the parent ends the process.
static async Task<int> ServeAsync(WebApplicationBuilder builder, Action<WebApplication> map)
{
    await using var app = builder.Build();
    map(app);
    await app.StartAsync();
    ServerProcess.AnnounceListening(app.Urls.First());
    await app.WaitForShutdownAsync();
    return 0;
}

// script: a Lua file and its arguments (wrk -s file url -- arguments), or null.
static async Task<(double Rps, double P50, double P99)> WrkAsync(string url, string[] headers, string[]? script, int seconds)
{
    var arguments = new List<string> { "-t2", "-c32", $"-d{seconds}s", "--latency" };
    foreach (var header in headers)
    {
        arguments.AddRange(["-H", header]);
    }

    if (script is [var file, ..])
    {
        arguments.AddRange(["-s", file]);
    }

    arguments.Add(url);
    if (script is [_, .. var scriptArguments])
    {
        arguments.Add("--");
        arguments.AddRange(scriptArguments);
    }
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
