using System.Text;
using Bff.Redis;
using Bff.Sessions;
using Bff.Tracking;
using StackExchange.Redis;

namespace Bff.Tests.Infrastructure;

/// <summary>The tokens a seeded session holds, as a login would have left them.</summary>
public sealed record SeededTokens(string AccessToken, string RefreshToken, DateTimeOffset AccessTokenExpiresAt);

/// <summary>
/// Writes sessions straight into a running gateway's store, for benchmarks that need thousands of them. The
/// bench projects reach the gateway's internals only through this and the other public test infrastructure
/// (<c>Bff</c> grants internals to the tests and to the hot-path micro-benchmark alone).
/// </summary>
public static class SessionSeeding
{
    /// <summary>Creates a session of <paramref name="subject"/>, active now, valid for a day; returns its cookie value.</summary>
    public static async Task<string> CreateAsync(IServiceProvider gateway, string subject, SeededTokens tokens)
    {
        var key = SessionKey.CreateNew();
        var now = DateTimeOffset.UtcNow;
        await StoreOf(gateway).CreateAsync(key, new SessionRecord
        {
            Version = 1,
            Tokens = new TokenSet(tokens.AccessToken, tokens.RefreshToken, null, tokens.AccessTokenExpiresAt),
            Claims = [new SessionClaim("sub", subject)],
            CreatedAt = now,
            LastActiveAt = now,
            AbsoluteExpiresAt = now + TimeSpan.FromDays(1),
            LogoutId = "seeded",
        }, CancellationToken.None);
        return key.Id;
    }

    /// <summary>
    /// Copies the session behind <paramref name="cookie"/> under a new id, last active <paramref name="idleFor"/>
    /// ago (now by default); returns the new cookie value.
    /// </summary>
    public static async Task<string> CopyAsync(IServiceProvider gateway, string cookie, TimeSpan idleFor = default)
    {
        var store = StoreOf(gateway);
        var template = await store.GetAsync(KeyOf(cookie), CancellationToken.None) ?? throw new InvalidOperationException("No session to copy.");
        var key = SessionKey.CreateNew();
        await store.CreateAsync(key, template with { Version = 1, LastActiveAt = DateTimeOffset.UtcNow - idleFor }, CancellationToken.None);
        return key.Id;
    }

    /// <summary>
    /// Sets the last activity of the sessions behind <paramref name="cookies"/> at random within
    /// <paramref name="spread"/> before now, as a steady population's is, so that their idle-timeout touches fall
    /// due at a steady rate from now on. Written into the Redis hash's activity field (Unix milliseconds): the
    /// store itself only ever moves it forward.
    /// </summary>
    public static async Task SpreadLastActivityAsync(IServiceProvider gateway, IReadOnlyList<string> cookies, TimeSpan spread)
    {
        var redis = gateway.GetRequiredService<IConnectionMultiplexer>().GetDatabase();
        var keys = gateway.GetRequiredService<RedisKeys>();
        var now = DateTimeOffset.UtcNow;
        foreach (var chunk in cookies.Chunk(10_000))
        {
            await Task.WhenAll(chunk.Select(cookie =>
                redis.HashSetAsync(keys.Session(KeyOf(cookie).Hash), "a", (now - spread * Random.Shared.NextDouble()).ToUnixTimeMilliseconds())));
        }
    }

    /// <summary>The UTF-8 bytes of the session's access, refresh and id tokens, and the Redis key of its hash.</summary>
    public static async Task<(int TokenBytes, string RedisKey)> DescribeAsync(IServiceProvider gateway, string cookie)
    {
        var key = KeyOf(cookie);
        var session = await StoreOf(gateway).GetAsync(key, CancellationToken.None) ?? throw new InvalidOperationException("No such session.");
        var tokens = session.Tokens;
        var bytes = Encoding.UTF8.GetByteCount(tokens.AccessToken) + Encoding.UTF8.GetByteCount(tokens.RefreshToken ?? "") + Encoding.UTF8.GetByteCount(tokens.IdToken ?? "");
        return (bytes, (string)gateway.GetRequiredService<RedisKeys>().Session(key.Hash)!);
    }

    /// <summary>How many sessions are due for a background refresh at <paramref name="now"/>, and the oldest due time.</summary>
    public static async Task<(long Due, DateTimeOffset? Oldest)> DueAsync(IServiceProvider gateway, DateTimeOffset now)
    {
        var measure = await gateway.GetRequiredService<IRefreshSchedule>().MeasureAsync(now);
        return (measure.Due, measure.Oldest);
    }

    private static ISessionStore StoreOf(IServiceProvider gateway) => gateway.GetRequiredService<ISessionStore>();

    private static SessionKey KeyOf(string cookie) =>
        SessionKey.TryParse(cookie, out var key) ? key : throw new ArgumentException("Not a session cookie value.", nameof(cookie));
}
