// Hot-path micro-benchmarks (issues 5 and 16), with allocations: what a proxied request costs the gateway
// besides YARP itself. Session lookup: cookie to key (SHA-256 on first sight, remembered after), a cache hit,
// and the whole session read from Redis that a hit saves (against a real redis-server); the request's lookup
// among one or 100,000 cached sessions. Token attach: the feature handed from the policy step to the header
// transform, the Authorization header it sets and that header's value as sent.
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Bff.Proxy;
using Bff.Sessions;
using Bff.Tests.Infrastructure;
using Bff.Web;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

var config = DefaultConfig.Instance
    .AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithWarmupCount(3).WithIterationCount(10))
    .WithOptions(ConfigOptions.DisableOptimizationsValidator);
// Every benchmark unless the arguments choose (e.g. --filter '*ManySessions*').
BenchmarkSwitcher.FromTypes([typeof(HotPathBenchmarks), typeof(ManySessionsBenchmarks)]).Run(args.Length > 0 ? args : ["--filter", "*"], config);

[MemoryDiagnoser]
public class HotPathBenchmarks
{
    private BenchGateway _host = null!;
    private string _cookie = "";
    private string _cookieHeader = "";
    private SessionKey _key;
    private string _accessToken = "";
    private string _authorization = "";

    [GlobalSetup]
    public async Task SetUpAsync()
    {
        _host = await BenchGateway.StartAsync();

        // Token sizes of a typical provider: a ~1 KB signed JWT access token and id token, an opaque refresh token.
        _accessToken = Jwtish(1024);
        _authorization = BearerAuthorization.Of(_accessToken);
        _key = SessionKey.CreateNew();
        _cookie = _key.Id;
        _cookieHeader = $"theme=dark; {_host.Cookie.Name}={_cookie}";
        var now = DateTimeOffset.UtcNow;
        await _host.Store.CreateAsync(_key, new SessionRecord
        {
            Version = 1,
            Tokens = new TokenSet(_accessToken, Jwtish(64), Jwtish(1024), now + TimeSpan.FromHours(1)),
            Claims = [new SessionClaim("sub", "user-1"), new SessionClaim("name", "Alice Example")],
            CreatedAt = now,
            LastActiveAt = now,
            AbsoluteExpiresAt = now + TimeSpan.FromDays(1),
            LogoutId = "bench",
        }, CancellationToken.None);
        if (!_host.Cache.IsLive)
        {
            throw new InvalidOperationException("The session cache is not live: is the session-change subscription up?");
        }

        await _host.Cache.GetAsync(_key, _host.Store, CancellationToken.None);
    }

    [GlobalCleanup]
    public Task CleanUpAsync() => _host.DisposeAsync().AsTask();

    [Benchmark(Description = "cookie -> session key, first sight (parse + SHA-256)")]
    public string CookieToKey() => SessionKey.TryParse(_cookie, out var key) ? key.Hash : "";

    [Benchmark(Description = "cookie -> session key, as a request reads it (Cookie header, recent ids remembered)")]
    public string CookieHeaderToKey()
    {
        var context = new DefaultHttpContext();
        context.Request.Headers.Cookie = _cookieHeader;
        return _host.Cookie.TryRead(context, out var key, out _) ? key.Hash : "";
    }

    [Benchmark(Description = "session lookup, cache hit")]
    public async Task<long> CachedLookup() => (await _host.Cache.GetAsync(_key, _host.Store, CancellationToken.None))!.Version;

    [Benchmark(Description = "session read from Redis (what a hit saves)")]
    public async Task<long> RedisRead() => (await _host.Store.GetAsync(_key, CancellationToken.None))!.Version;

    /// <summary>Up to the header value written on the wire, which a typed header formats anew for every request.</summary>
    [Benchmark(Description = "token attach (feature + Authorization header + its value as sent)")]
    public string AttachToken()
    {
        var context = new DefaultHttpContext();
        context.Features.Set(new UpstreamAccessToken(_authorization));
        using var proxyRequest = new HttpRequestMessage();
        if (context.Features.Get<UpstreamAccessToken>() is { } token)
        {
            proxyRequest.Headers.TryAddWithoutValidation(HeaderNames.Authorization, token.Authorization);
        }

        return proxyRequest.Headers.NonValidated[HeaderNames.Authorization].ToString();
    }

    internal static string Jwtish(int length) => string.Create(length, 0, static (span, _) =>
    {
        for (var i = 0; i < span.Length; i++)
        {
            span[i] = (char)('a' + (i * 7 % 26));
        }
    });
}

/// <summary>
/// What the request path pays to find a cached session among many (issue 16): the Cookie header read, the
/// remembered cookie key, the cache's copy and its decoding, for one hot session and for one of 100,000 at
/// random (cold in the processor's caches, as a many-user gateway's are). The end-to-end benchmark cannot tell
/// differences this small from its noise (bench/RESULTS.md).
/// </summary>
[MemoryDiagnoser]
public class ManySessionsBenchmarks
{
    private BenchGateway _host = null!;
    private string[] _cookieHeaders = [];
    private int _next;

    [Params(1, 100_000)]
    public int Sessions { get; set; }

    [GlobalSetup]
    public async Task SetUpAsync()
    {
        _host = await BenchGateway.StartAsync();

        // One session of a typical provider's sizes (a ~1.2 KB JWT access token, a few claims), copied under new
        // ids as bench/proxy.sh's many-session rows are; each read once, so the cache holds them all.
        var template = await SessionSeeding.CreateAsync(_host.Services, "user-1", new SeededTokens(HotPathBenchmarks.Jwtish(1200), HotPathBenchmarks.Jwtish(64), DateTimeOffset.UtcNow + TimeSpan.FromHours(1)));
        var cookies = new string[Sessions];
        cookies[0] = template;
        await Parallel.ForEachAsync(Enumerable.Range(1, Sessions - 1), new ParallelOptions { MaxDegreeOfParallelism = 32 },
            async (i, _) => cookies[i] = await SessionSeeding.CopyAsync(_host.Services, template));
        Random.Shared.Shuffle(cookies);
        _cookieHeaders = [.. cookies.Select(c => $"theme=dark; {_host.Cookie.Name}={c}")];
        for (var i = 0; i < _cookieHeaders.Length; i++)
        {
            await LookupAsync();
        }

        // Every lookup measured must be a hit: one Redis read in a hundred would cost more than what is measured.
        var copies = _host.Cache.GetTestAccessor();
        if (!_host.Cache.IsLive || !cookies.All(c => SessionKey.TryParse(c, out var key) && copies.Holds(key.Hash)))
        {
            throw new InvalidOperationException("The session cache does not hold every seeded session.");
        }
    }

    [GlobalCleanup]
    public Task CleanUpAsync() => _host.DisposeAsync().AsTask();

    /// <summary>The sessions in turn, in a shuffled order: with 100,000 of them, each is cold when its turn comes.</summary>
    [Benchmark(Description = "Cookie header -> session key -> cached copy, decoded")]
    public async Task<long> LookupAsync()
    {
        var context = new DefaultHttpContext();
        context.Request.Headers.Cookie = _cookieHeaders[_next];
        _next = _next + 1 == _cookieHeaders.Length ? 0 : _next + 1;
        return _host.Cookie.TryRead(context, out var key, out _) && await _host.Cache.GetAsync(key, _host.Store, CancellationToken.None) is { } session
            ? session.Version
            : throw new InvalidOperationException("A seeded session was not found.");
    }
}

/// <summary>A gateway host in this process on a real redis-server (its own, started here), sweeper off.</summary>
internal sealed class BenchGateway(RedisServer redis, WebApplication app) : IAsyncDisposable
{
    public IServiceProvider Services => app.Services;

    public ISessionStore Store { get; } = app.Services.GetRequiredService<ISessionStore>();

    public SessionCache Cache { get; } = app.Services.GetRequiredService<SessionCache>();

    public SessionCookie Cookie { get; } = app.Services.GetRequiredService<SessionCookie>();

    public static async Task<BenchGateway> StartAsync()
    {
        var redis = new RedisServer();
        await redis.InitializeAsync();
        var app = GatewayHost.Build(new Dictionary<string, string?>
        {
            ["Bff:Oidc:Authority"] = "https://idp.invalid/",
            ["Bff:Oidc:ClientId"] = "bench",
            ["Bff:Redis:Configuration"] = redis.Configuration,
            ["Bff:Sweeper:Enabled"] = "false",
        });
        await app.StartAsync();
        return new BenchGateway(redis, app);
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
        await redis.DisposeAsync();
    }
}
