// Memory benchmark (issue 5): what one session costs in Redis against the raw bytes of its tokens, and the
// gateway's resident memory with 1k, 10k and 100k sessions in Redis, every one of them used once through it
// (so that its session cache is as full as it gets). Tokens are real: issued by the demo provider through
// the real login flow; the other sessions are copies of that one under new ids, written by the store.
using System.Globalization;
using Bff.Tests.Infrastructure;

var steps = args.Length > 0 ? args.Select(a => int.Parse(a, CultureInfo.InvariantCulture)).ToArray() : [1_000, 10_000, 100_000];

var redis = new RedisServer();
await redis.InitializeAsync();
var provider = new ProviderHost();
provider.Settings.AccessTokenLifetime = TimeSpan.FromHours(2);
await provider.InitializeAsync();

var configuration = GatewayHost.ConfigurationFor(provider, redis.Configuration);
configuration["Bff:Redis:KeyPrefix"] = "memory:";
configuration["Bff:Sweeper:Enabled"] = "false";

// The writer: an in-process gateway (same key prefix and Data Protection key ring in Redis as the measured one).
await using var writer = await GatewayHost.StartAsync(provider, configuration);
using var browser = new BrowserClient(writer.Address);
await browser.LoginAsync();
var templateCookie = browser.GatewayCookie("__Host-bff")?.Value ?? throw new InvalidOperationException("The login did not set a session cookie.");
var (rawTokenBytes, templateRedisKey) = await SessionSeeding.DescribeAsync(writer.Services, templateCookie);
var database = redis.Connection.GetDatabase();
var server = redis.Connection.GetServer("127.0.0.1", redis.Port);
var sessionKeyBytes = (long)(await database.ExecuteAsync("MEMORY", "USAGE", templateRedisKey, "SAMPLES", "0"));

async Task<long> UsedMemoryAsync()
{
    var info = await server.InfoRawAsync("memory") ?? "";
    return long.Parse(info.Split('\n').First(l => l.StartsWith("used_memory:", StringComparison.Ordinal)).Split(':')[1].Trim(), CultureInfo.InvariantCulture);
}

// The measured gateway: its own process, as operators run it, with the GC settings it ships
// (Bff.runtimeconfig.json: the server GC; see src/Bff/Bff.csproj).
await using var gateway = await GatewayProcess.StartAsync(provider, configuration);
using var http = new HttpClient(new SocketsHttpHandler { UseCookies = false, MaxConnectionsPerServer = 32 }) { BaseAddress = new Uri(gateway.Address) };
var ids = new List<string>();
var rows = new List<string>();
static string MiB(long kiB) => $"{kiB / 1024.0:F0} MiB";
var rssAtStart = ResidentMemory.Of(gateway.ProcessId);
var usedBefore = await UsedMemoryAsync();
foreach (var target in steps)
{
    var added = new string[target - ids.Count];
    await Parallel.ForEachAsync(Enumerable.Range(0, added.Length), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, _) =>
        added[i] = await SessionSeeding.CopyAsync(writer.Services, templateCookie));
    ids.AddRange(added);

    // Use every session once through the measured gateway.
    var failures = 0;
    await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (id, _) =>
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/whoami");
        request.Headers.Add("Cookie", $"__Host-bff={id}");
        request.Headers.Add("X-CSRF", "1");
        using var response = await http.SendAsync(request);
        if (!response.IsSuccessStatusCode)
        {
            Interlocked.Increment(ref failures);
        }
    });

    await Task.Delay(TimeSpan.FromSeconds(5));
    var rss = ResidentMemory.Of(gateway.ProcessId);
    // The live heap: dotnet-gcdump forces a full collection and reports what survives (when installed); the
    // RSS read again after it shows what the GC gives back once it has collected everything.
    var liveHeap = await LiveHeapBytesAsync(gateway.ProcessId);
    var afterCollection = ResidentMemory.Of(gateway.ProcessId);
    var perSession = (await UsedMemoryAsync() - usedBefore) / (double)ids.Count;
    rows.Add($"| {ids.Count:N0} | {MiB(rss.TotalKiB)} | {MiB(rss.GcHeapKiB)} / {MiB(rss.NativeKiB)} / {MiB(rss.FilesKiB)} " +
        $"| {(liveHeap is { } live ? $"{live / 1048576.0:F0} MiB" : "n/a")} | {MiB(afterCollection.TotalKiB)} ({MiB(afterCollection.GcHeapKiB)} GC heap) | {perSession:F0} B | {failures} |");
    Console.WriteLine(rows[^1]);
}

Console.WriteLine();
Console.WriteLine($"Raw token bytes of one session (access + refresh + id): {rawTokenBytes} B; MEMORY USAGE of its session hash: {sessionKeyBytes} B (overhead {sessionKeyBytes - rawTokenBytes:+0;-0} B).");
Console.WriteLine($"Gateway RSS after start-up and one login elsewhere: {MiB(rssAtStart.TotalKiB)} (GC heap / native / mapped files: {MiB(rssAtStart.GcHeapKiB)} / {MiB(rssAtStart.NativeKiB)} / {MiB(rssAtStart.FilesKiB)}).");
Console.WriteLine();
Console.WriteLine("| sessions in Redis, each used once | gateway RSS | of which GC heap / native / mapped files | live GC heap (after a full GC) | RSS after that full GC | Redis used_memory per session (session, schedule, index) | failed requests |");
Console.WriteLine("|---|---|---|---|---|---|---|");
rows.ForEach(Console.WriteLine);

await provider.DisposeAsync();
await redis.DisposeAsync();
return 0;

static async Task<long?> LiveHeapBytesAsync(int processId)
{
    var tool = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".dotnet", "tools", "dotnet-gcdump");
    if (!File.Exists(tool))
    {
        return null;
    }

    using var report = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(tool, ["report", "-p", processId.ToString(CultureInfo.InvariantCulture)])
    {
        RedirectStandardOutput = true,
        RedirectStandardError = true,
    })!;
    var output = await report.StandardOutput.ReadToEndAsync();
    await report.WaitForExitAsync();
    var line = output.Split('\n').FirstOrDefault(l => l.Contains("GC Heap bytes", StringComparison.Ordinal));
    return line is null ? null : long.Parse(line.Trim().Split(' ')[0], NumberStyles.AllowThousands, CultureInfo.InvariantCulture);
}
