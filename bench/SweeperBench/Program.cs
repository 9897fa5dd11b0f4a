// Sweeper benchmark (issues 4 and 15): N sessions whose access tokens all fall due within a window (one minute
// by default), a provider with 20 ms latency, two gateway instances sharing one redis-server or a Redis Cluster
// (three masters, three replicas; the schedule in its hash-tagged buckets), real clock. Reports the sweeper lag
// (now minus the oldest due time, sampled every second) and whether every session was refreshed before its
// access token expired, with one provider call each.
using System.Diagnostics;
using System.Globalization;
using Bff.Tests.Infrastructure;

var sessions = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10_000;
var latency = TimeSpan.FromMilliseconds(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 20);
const int MaxConcurrency = 16;
var refreshBeforeExpiry = TimeSpan.FromSeconds(30);
var interval = TimeSpan.FromSeconds(5);
var onCluster = args.Length > 2 && args[2] == "cluster";
var window = TimeSpan.FromSeconds(args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 60);
// Seeding must finish before the first token falls due (at about 1,000 sessions a second on this kind of machine).
var lead = TimeSpan.FromSeconds(Math.Max(65, 30 + sessions / 1000));

await using var redis = new RedisHandle(onCluster ? new RedisCluster() : new RedisServer());
await redis.Redis.InitializeAsync();
await using var provider = await JsonTokenProviderStub.StartAsync();
provider.Latency = latency;
// Refreshed tokens outlive the run: each session is refreshed once, and "provider calls" counts only those.
provider.IssuedLifetime = TimeSpan.FromHours(1);

var configuration = new Dictionary<string, string?>
{
    ["Bff:Oidc:Authority"] = "https://idp.invalid/",
    ["Bff:Oidc:ClientId"] = "bench",
    ["Bff:Redis:Configuration"] = redis.Redis.Configuration,
    ["Bff:Redis:KeyPrefix"] = "bench:",
    ["Bff:Tokens:RefreshBeforeExpiry"] = refreshBeforeExpiry.ToString(),
    ["Bff:Tokens:RefreshRequest:Format"] = "Json",
    ["Bff:Tokens:RefreshRequest:Endpoint"] = provider.Endpoint,
    ["Bff:Tokens:RefreshRequest:Headers:apikey"] = "anon-key",
    ["Bff:Sweeper:Interval"] = interval.ToString(),
    ["Bff:Sweeper:MaxConcurrency"] = MaxConcurrency.ToString(CultureInfo.InvariantCulture),
    ["ReverseProxy:Routes:api:ClusterId"] = "api",
    ["ReverseProxy:Routes:api:Match:Path"] = "/api/{**rest}",
    ["ReverseProxy:Clusters:api:Destinations:d1:Address"] = "http://127.0.0.1:9/",
};
var gateways = new[] { GatewayHost.Build(configuration), GatewayHost.Build(configuration) };
foreach (var gateway in gateways)
{
    await gateway.StartAsync();
}

// Seed: every token expires between the lead and the lead plus the window from now (refreshed 30 s before,
// with up to 30 s of jitter), so every session falls due within the window or so.
var start = DateTimeOffset.UtcNow;
var expiries = new DateTimeOffset[sessions];
var seeding = Stopwatch.StartNew();
await Parallel.ForEachAsync(Enumerable.Range(0, sessions), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, _) =>
{
    expiries[i] = start + lead + window * i / sessions;
    await SessionSeeding.CreateAsync(gateways[0].Services, $"user-{i}", new SeededTokens($"access-{i}", $"seed-{i}", expiries[i]));
});
Console.WriteLine($"seeded {sessions} sessions in {seeding.Elapsed.TotalSeconds:F1} s on {(onCluster ? "a 3-master, 3-replica cluster" : "one redis-server")}");

// What a refresh costs: Redis commands and this process's CPU time (both gateways, the provider stub and the
// once-a-second sampling below: an upper bound for the gateways) from the first provider call to the last.
await using var statistics = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(redis.Redis.Configuration + ",allowAdmin=true");
var commandsBefore = await RedisCommandCounts.ReadAsync(statistics);
var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
var callsBefore = provider.Calls;

var lags = new List<double>();
var deadline = expiries.Max() + TimeSpan.FromSeconds(30);
while (DateTimeOffset.UtcNow < deadline && provider.Calls < sessions)
{
    await Task.Delay(1000);
    if (provider.Calls == callsBefore)
    {
        commandsBefore = await RedisCommandCounts.ReadAsync(statistics);
        cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
    }

    var now = DateTimeOffset.UtcNow;
    var (due, oldest) = await SessionSeeding.DueAsync(gateways[0].Services, now);
    lags.Add(oldest is { } first ? Math.Max(0, (now - first).TotalSeconds) : 0);
    Console.WriteLine($"t+{(now - start).TotalSeconds,5:F0}s  due {due,6}  lag {lags[^1],6:F2}s  refreshed {provider.RedeemedAt.Count,6}");
}

var refreshes = provider.Calls - callsBefore;
var cpuPerRefresh = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMilliseconds / Math.Max(1, refreshes);
Console.WriteLine($"Redis commands per refresh: {RedisCommandCounts.PerUnit(commandsBefore, await RedisCommandCounts.ReadAsync(statistics), refreshes, "info")}");
Console.WriteLine($"CPU per refresh: {cpuPerRefresh:F2} ms (this process: both gateways, the provider stub, the sampling), so at least {1000 / cpuPerRefresh:F0} refreshes per second per core");

var refreshedInTime = Enumerable.Range(0, sessions)
    .Count(i => provider.RedeemedAt.TryGetValue($"seed-{i}", out var at) && at < expiries[i]);
var margins = Enumerable.Range(0, sessions)
    .Where(i => provider.RedeemedAt.ContainsKey($"seed-{i}"))
    .Select(i => (expiries[i] - provider.RedeemedAt[$"seed-{i}"]).TotalSeconds).Order().ToArray();
lags.Sort();

Console.WriteLine();
Console.WriteLine($"| Redis | sessions due within | provider latency | instances x MaxConcurrency | provider calls | reuses | refreshed before expiry | sweeper lag p50 / max | margin before expiry min / p50 |");
Console.WriteLine($"|---|---|---|---|---|---|---|---|---|");
Console.WriteLine($"| {(onCluster ? "cluster 3x2" : "single")} | {sessions} in {window.TotalSeconds:F0} s | {latency.TotalMilliseconds} ms | 2 x {MaxConcurrency} | {provider.Calls} | {provider.Reuses} | {refreshedInTime} / {sessions} | {Percentile(lags, 0.5):F2} s / {lags.LastOrDefault():F2} s | {margins.FirstOrDefault():F1} s / {Percentile(margins, 0.5):F1} s |");

foreach (var gateway in gateways)
{
    await gateway.StopAsync();
    await gateway.DisposeAsync();
}

return refreshedInTime == sessions && provider.Reuses == 0 && provider.Calls == sessions ? 0 : 1;

static double Percentile(IReadOnlyList<double> sorted, double p) => sorted.Count == 0 ? 0 : sorted[(int)Math.Min(sorted.Count - 1, p * sorted.Count)];

/// <summary>Owns the benchmark's redis-server processes.</summary>
internal sealed class RedisHandle(IRedisDeployment redis) : IAsyncDisposable
{
    public IRedisDeployment Redis => redis;

    public async ValueTask DisposeAsync() => await redis.DisposeAsync();
}
