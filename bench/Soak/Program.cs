// Soak run (issue 6): two gateway processes sharing one redis-server, the strict OpenIddict provider with
// 5-second access tokens, N sessions under continuous load for a while, with random graceful restarts
// (SIGTERM, then a replacement). Reports requests, provider refreshes and reuses, 401s, 5xx and latency.
using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using Bff.Tests.Infrastructure;

var duration = TimeSpan.FromSeconds(args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 600);
var sessions = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 500;
const int Workers = 16;

var redis = new RedisServer();
await redis.InitializeAsync();
var provider = new ProviderHost();
provider.Settings.AccessTokenLifetime = TimeSpan.FromSeconds(5);
await provider.InitializeAsync();

var configuration = GatewayHost.ConfigurationFor(provider, redis.Configuration);
// IdpTimeout must exceed the provider's worst latency: a call cut short after the provider rotated the token
// is the one way a token gets presented twice (README "Known limit"). OpenIddict on SQLite, sharing two cores
// with both gateways and the load, answers in seconds at this rate.
configuration["Bff:Tokens:IdpTimeout"] = "00:00:30";
configuration["Bff:Tokens:RefreshBeforeExpiry"] = "00:00:01";
configuration["Bff:Sweeper:Enabled"] = "true";
configuration["Bff:Sweeper:Interval"] = "00:00:01";
var live = new List<GatewayProcess>
{
    await GatewayProcess.StartAsync(provider, configuration),
    await GatewayProcess.StartAsync(provider, configuration),
};

var cookies = new string[sessions];
await Parallel.ForEachAsync(Enumerable.Range(0, sessions), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
{
    using var browser = new BrowserClient(live[i % 2].Address);
    await browser.LoginAsync();
    cookies[i] = browser.GatewayCookie("__Host-bff")!.Value;
});
Console.WriteLine($"{sessions} sessions signed in; soaking for {duration}");

var refreshesBefore = provider.TokenLog.RefreshRequests;
var outcomes = new ConcurrentBag<(HttpStatusCode? Status, double Milliseconds)>();
using var client = new LoadBalancedClient(live);
using var stop = new CancellationTokenSource(duration);
var load = Task.WhenAll(Enumerable.Range(0, Workers).Select(worker => Task.Run(async () =>
{
    for (var n = worker; !stop.IsCancellationRequested; n += Workers)
    {
        var (status, elapsed) = await client.GetAsync("/api/whoami", cookies[n % sessions], n);
        outcomes.Add((status, elapsed.TotalMilliseconds));
    }
})));

var restarts = 0;
while (!stop.IsCancellationRequested)
{
    try
    {
        await Task.Delay(TimeSpan.FromSeconds(Random.Shared.Next(30, 90)), stop.Token);
    }
    catch (OperationCanceledException)
    {
        break;
    }

    var instances = client.Snapshot();
    await client.ReplaceAsync(instances[Random.Shared.Next(instances.Count)], () => GatewayProcess.StartAsync(provider, configuration));
    restarts++;
    Console.WriteLine($"{DateTime.UtcNow:HH:mm:ss} restarted an instance ({restarts}); {outcomes.Count} requests so far");
}

await load;
var latencies = outcomes.Select(o => o.Milliseconds).Order().ToArray();
double Percentile(double p) => latencies.Length == 0 ? 0 : latencies[(int)Math.Min(latencies.Length - 1, p * latencies.Length)];
var unauthorized = outcomes.Count(o => o.Status == HttpStatusCode.Unauthorized);
var serverErrors = outcomes.Count(o => o.Status is null || (int)o.Status >= 500);

Console.WriteLine();
Console.WriteLine("| duration | sessions | token lifetime | restarts | requests | provider refreshes | reuses detected | 401 | 5xx / no answer | p50 | p99 |");
Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|");
Console.WriteLine($"| {duration.TotalMinutes:F0} min | {sessions} | 5 s | {restarts} | {outcomes.Count} | {provider.TokenLog.RefreshRequests - refreshesBefore} | {provider.TokenLog.Reuses} | {unauthorized} | {serverErrors} | {Percentile(0.5):F1} ms | {Percentile(0.99):F1} ms |");

foreach (var gateway in client.Snapshot())
{
    await gateway.DisposeAsync();
}

var clean = provider.TokenLog.Reuses == 0 && unauthorized == 0;
await provider.DisposeAsync();
await redis.DisposeAsync();
return clean ? 0 : 1;
