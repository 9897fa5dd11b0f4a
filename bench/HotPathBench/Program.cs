// Hot-path micro-benchmarks (issue 5), with allocations: what a proxied request costs the gateway besides
// YARP itself. Session lookup: cookie to key (SHA-256 on first sight, remembered after), a cache hit, and the Redis read the cache saves
// (HMGET + Data Protection decryption + JSON, against a real redis-server). Token attach: the feature
// handed from the policy step to the header transform, and the Authorization header it sets.
using System.Net.Http.Headers;
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

var config = DefaultConfig.Instance
    .AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithWarmupCount(3).WithIterationCount(10))
    .WithOptions(ConfigOptions.DisableOptimizationsValidator);
BenchmarkRunner.Run<HotPathBenchmarks>(config, args);

[MemoryDiagnoser]
public class HotPathBenchmarks
{
    private RedisServer _redis = null!;
    private WebApplication _gateway = null!;
    private ISessionStore _store = null!;
    private SessionCache _cache = null!;
    private string _cookie = "";
    private string _cookieHeader = "";
    private SessionCookie _sessionCookie = null!;
    private SessionKey _key;
    private string _accessToken = "";

    [GlobalSetup]
    public async Task SetUpAsync()
    {
        _redis = new RedisServer();
        await _redis.InitializeAsync();
        _gateway = GatewayHost.Build(new Dictionary<string, string?>
        {
            ["Bff:Oidc:Authority"] = "https://idp.invalid/",
            ["Bff:Oidc:ClientId"] = "bench",
            ["Bff:Redis:Configuration"] = _redis.Configuration,
            ["Bff:Sweeper:Enabled"] = "false",
        });
        await _gateway.StartAsync();
        _store = _gateway.Services.GetRequiredService<ISessionStore>();
        _cache = _gateway.Services.GetRequiredService<SessionCache>();

        // Token sizes of a typical provider: a ~1 KB signed JWT access token and id token, an opaque refresh token.
        _accessToken = Jwtish(1024);
        _key = SessionKey.CreateNew();
        _cookie = _key.Id;
        _sessionCookie = _gateway.Services.GetRequiredService<SessionCookie>();
        _cookieHeader = $"theme=dark; {_sessionCookie.Name}={_cookie}";
        var now = DateTimeOffset.UtcNow;
        await _store.CreateAsync(_key, new SessionRecord
        {
            Version = 1,
            Tokens = new TokenSet(_accessToken, Jwtish(64), Jwtish(1024), now + TimeSpan.FromHours(1)),
            Claims = [new SessionClaim("sub", "user-1"), new SessionClaim("name", "Alice Example")],
            CreatedAt = now,
            LastActiveAt = now,
            AbsoluteExpiresAt = now + TimeSpan.FromDays(1),
            LogoutId = "bench",
        }, CancellationToken.None);
        if (!_cache.IsLive)
        {
            throw new InvalidOperationException("The session cache is not live: is the session-change subscription up?");
        }

        await _cache.GetAsync(_key, _store, CancellationToken.None);
    }

    [GlobalCleanup]
    public async Task CleanUpAsync()
    {
        await _gateway.StopAsync();
        await _gateway.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [Benchmark(Description = "cookie -> session key, first sight (parse + SHA-256)")]
    public string CookieToKey() => SessionKey.TryParse(_cookie, out var key) ? key.Hash : "";

    [Benchmark(Description = "cookie -> session key, as a request reads it (Cookie header, recent ids remembered)")]
    public string CookieHeaderToKey()
    {
        var context = new DefaultHttpContext();
        context.Request.Headers.Cookie = _cookieHeader;
        return _sessionCookie.TryRead(context, out var key, out _) ? key.Hash : "";
    }

    [Benchmark(Description = "session lookup, cache hit")]
    public async Task<long> CachedLookup() => (await _cache.GetAsync(_key, _store, CancellationToken.None))!.Version;

    [Benchmark(Description = "session read from Redis (what a hit saves)")]
    public async Task<long> RedisRead() => (await _store.GetAsync(_key, CancellationToken.None))!.Version;

    [Benchmark(Description = "token attach (feature + Authorization header)")]
    public AuthenticationHeaderValue? AttachToken()
    {
        var context = new DefaultHttpContext();
        context.Features.Set(new UpstreamAccessToken(_accessToken));
        using var proxyRequest = new HttpRequestMessage();
        if (context.Features.Get<UpstreamAccessToken>() is { } token)
        {
            proxyRequest.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.Value);
        }

        return proxyRequest.Headers.Authorization;
    }

    private static string Jwtish(int length) => string.Create(length, 0, static (span, _) =>
    {
        for (var i = 0; i < span.Length; i++)
        {
            span[i] = (char)('a' + (i * 7 % 26));
        }
    });
}
