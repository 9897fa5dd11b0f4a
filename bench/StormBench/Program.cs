// Refresh-storm benchmark (issue 5): N sessions whose access tokens all need refreshing at the same moment,
// M concurrent requests for each, spread over two gateway instances sharing one redis-server, and a provider
// (strict JSON stub: a second use of a refresh token counts as a reuse) answering after a fixed latency.
// Reports provider calls (must equal N), reuses and errors (must be 0), and the requests' latency, with the
// requests sent at one instant and with the sessions' bursts spread over some seconds.
using System.Diagnostics;
using System.Globalization;
using System.Net;
using Bff.Tests.Infrastructure;

var sessions = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1000;
var perSession = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 20;
var latency = TimeSpan.FromMilliseconds(args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 20);
var spread = TimeSpan.FromSeconds(args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 10);

var redis = new RedisServer();
await redis.InitializeAsync();
await using var provider = await JsonTokenProviderStub.StartAsync();
provider.Latency = latency;

var backendBuilder = WebApplication.CreateSlimBuilder();
backendBuilder.WebHost.UseUrls("http://127.0.0.1:0");
backendBuilder.Logging.ClearProviders();
await using var backend = backendBuilder.Build();
backend.MapGet("/api/data", () => Results.Json(new { id = 42 }));
await backend.StartAsync();

var configuration = new Dictionary<string, string?>
{
    ["Bff:Oidc:Authority"] = "https://idp.invalid/",
    ["Bff:Oidc:ClientId"] = "bench",
    ["Bff:Redis:Configuration"] = redis.Configuration,
    ["Bff:Redis:KeyPrefix"] = "storm:",
    ["Bff:Tokens:RefreshBeforeExpiry"] = "00:00:30",
    ["Bff:Tokens:RefreshRequest:Format"] = "Json",
    ["Bff:Tokens:RefreshRequest:Endpoint"] = provider.Endpoint,
    ["Bff:Tokens:RefreshRequest:Headers:apikey"] = "anon-key",
    // The storm is the request path's: no background refresh ahead of it.
    ["Bff:Sweeper:Enabled"] = "false",
    ["ReverseProxy:Routes:api:ClusterId"] = "api",
    ["ReverseProxy:Routes:api:Match:Path"] = "/api/{**rest}",
    ["ReverseProxy:Routes:api:Metadata:Bff.AccessToken"] = "User",
    ["ReverseProxy:Clusters:api:Destinations:d1:Address"] = backend.Urls.First() + "/",
};
var gateways = new[] { GatewayHost.Build(configuration), GatewayHost.Build(configuration) };
foreach (var gateway in gateways)
{
    await gateway.StartAsync();
}

var clients = gateways.Select(g => new HttpClient(new SocketsHttpHandler { UseCookies = false, MaxConnectionsPerServer = 512 })
{
    BaseAddress = new Uri(g.Urls.First()),
    Timeout = TimeSpan.FromSeconds(60),
}).ToArray();

// Tokens inside the refresh window (expiring in 10 s, window 30 s) but still valid: the first request of each
// session must refresh it, and every other request must wait for that one refresh.
var dueSoon = TimeSpan.FromSeconds(10);
// A first, unmeasured storm on other sessions warms the processes up (JIT, connection pools, Redis scripts).
var warmUp = await StormAsync(Math.Min(sessions, 200), dueSoon, TimeSpan.Zero);
// Each storm is measured twice: with every request sent at the same instant, and with every session's burst of
// concurrent requests starting at its own moment, evenly spread over `spread` (the tokens still all due at
// once). The instant storm's 20,000 requests queue on this machine's two cores whatever the gateway does; the
// spread one keeps the load within what the machine serves, so its latency is the refresh's. Each is preceded
// by its baseline: the same requests on as many new sessions whose tokens need no refresh.
var rows = new List<string>();
var providerCallsPerStorm = new List<long>();
var errors = warmUp.Errors;
foreach (var (shape, offsets) in new[] { ("at the same instant", TimeSpan.Zero), ($"sessions spread over {spread.TotalSeconds:F0} s", spread) })
{
    var baseline = await StormAsync(sessions, TimeSpan.FromHours(1), offsets);
    var callsBefore = provider.Calls;
    var storm = await StormAsync(sessions, dueSoon, offsets);
    providerCallsPerStorm.Add(provider.Calls - callsBefore);
    errors += baseline.Errors + storm.Errors;
    rows.Add($"| {shape}, no refresh due (baseline) | {sessions} | {perSession} | {gateways.Length} | {latency.TotalMilliseconds:F0} ms | 0 | {baseline.Errors} | {Row(baseline)} |");
    rows.Add($"| {shape}, every token due (storm) | {sessions} | {perSession} | {gateways.Length} | {latency.TotalMilliseconds:F0} ms | {providerCallsPerStorm[^1]} | {storm.Errors} | {Row(storm)} " +
        $"{SignedDifference.Format(Percentile(storm.Latencies, 0.99) - Percentile(baseline.Latencies, 0.99), 1)} ms |");
}

Console.WriteLine($"Machine: {Environment.ProcessorCount} cores. Gateways, backend, provider stub, client in one process; redis-server beside it.");
Console.WriteLine();
Console.WriteLine("| requests sent | sessions | requests per session | instances | provider latency | provider calls | errors | duration | p50 | p99 | max | storm p99 minus baseline p99 |");
Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|---|");
rows.ForEach(Console.WriteLine);
Console.WriteLine();
Console.WriteLine($"Refresh-token reuses seen by the provider: {provider.Reuses}.");

foreach (var gateway in gateways)
{
    await gateway.StopAsync();
    await gateway.DisposeAsync();
}

await redis.DisposeAsync();
return providerCallsPerStorm.All(calls => calls == sessions) && provider.Reuses == 0 && errors == 0 ? 0 : 1;

static double Percentile(double[] sorted, double p) => sorted[(int)Math.Min(sorted.Length - 1, p * sorted.Length)];

static string Row((double[] Latencies, int Errors, TimeSpan Duration) burst) =>
    $"{burst.Duration.TotalSeconds:F2} s | {Percentile(burst.Latencies, 0.5):F1} ms | {Percentile(burst.Latencies, 0.99):F1} ms | {burst.Latencies[^1]:F1} ms |";

// count new sessions whose access tokens expire in expiresIn, then all their requests, session i's at
// spread * i / count (all at once when spread is zero); latencies (from each request's own start) sorted.
async Task<(double[] Latencies, int Errors, TimeSpan Duration)> StormAsync(int count, TimeSpan expiresIn, TimeSpan spread)
{
    var now = DateTimeOffset.UtcNow;
    var storm = Guid.NewGuid().ToString("N");
    var cookies = new string[count];
    await Parallel.ForEachAsync(Enumerable.Range(0, count), async (i, _) => cookies[i] = await SessionSeeding.CreateAsync(
        gateways[0].Services, $"user-{i}", new SeededTokens($"seed-access-{storm}-{i}", $"seed-refresh-{storm}-{i}", now + expiresIn)));

    var latencies = new double[count * perSession];
    var errors = 0;
    var burst = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, count * perSession).Select(async n =>
    {
        var (session, request) = (n % count, n / count);
        if (spread > TimeSpan.Zero)
        {
            await Task.Delay(spread * session / count);
        }

        using var message = new HttpRequestMessage(HttpMethod.Get, "/api/data");
        message.Headers.Add("Cookie", $"__Host-bff={cookies[session]}");
        message.Headers.Add("X-CSRF", "1");
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var response = await clients[request % clients.Length].SendAsync(message);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                Interlocked.Increment(ref errors);
            }
        }
        catch (HttpRequestException)
        {
            Interlocked.Increment(ref errors);
        }

        latencies[n] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }));
    Array.Sort(latencies);
    return (latencies, errors, burst.Elapsed);
}
