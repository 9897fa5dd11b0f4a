using Bff.Configuration;
using Bff.Redis;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Bff.Sessions;

/// <summary>
/// Sessions in a Redis hash: <c>v</c> version, <c>d</c> tokens and claims compressed
/// (<see cref="SessionPayloadFormat"/>) and encrypted with ASP.NET Data Protection (a dump yields no usable
/// token, DESIGN invariant 8), <c>a</c> last activity and <c>x</c> absolute
/// expiry in Unix milliseconds, <c>u:…</c> the last use of each target's token. The key's TTL follows the idle and absolute lifetimes.
/// </summary>
internal sealed class RedisSessionStore(
    IConnectionMultiplexer redis,
    RedisKeys keys,
    IDataProtectionProvider dataProtection,
    IOptions<BffOptions> options,
    TimeProvider time) : ISessionStore
{
    // Fenced write (DESIGN invariant 3): replace the payload only if the version is the one the caller read.
    private static readonly LuaScript ReplaceIfVersion = LuaScript.Prepare("""
        local v = redis.call('HGET', @key, 'v')
        if not v or tonumber(v) ~= tonumber(@expected) then return 0 end
        redis.call('HSET', @key, 'v', tonumber(@expected) + 1, 'd', @payload)
        return 1
        """);

    // Sliding idle timeout: only an existing session is touched, its activity only moves forward, and its TTL
    // follows the earlier of the idle and absolute ends (the absolute one, x, is read here, not by a round trip).
    private static readonly LuaScript TouchIfExists = LuaScript.Prepare("""
        local x = redis.call('HGET', @key, 'x')
        if not x then return 0 end
        local a = tonumber(redis.call('HGET', @key, 'a') or '0')
        local active = tonumber(@lastActive)
        if active <= a then return 0 end
        local ends = math.min(active + tonumber(@idle), tonumber(x))
        redis.call('HSET', @key, 'a', active)
        redis.call('PEXPIRE', @key, math.max(ends - tonumber(@now), 1))
        return 1
        """);

    // A use mark lives beside the session, only while it exists, and only moves forward.
    private static readonly LuaScript MarkIfExists = LuaScript.Prepare("""
        if redis.call('EXISTS', @key) == 0 then return 0 end
        local marked = tonumber(redis.call('HGET', @key, @field) or '0')
        if tonumber(@at) <= marked then return 0 end
        redis.call('HSET', @key, @field, @at)
        return 1
        """);

    private readonly IDataProtector _protector = dataProtection.CreateProtector("Bff.Sessions.RedisSessionStore.v1");
    private readonly TimeSpan _idleTimeout = options.Value.Session.IdleTimeout;

    public async Task<SessionRecord?> GetAsync(SessionKey key, CancellationToken cancellationToken)
    {
        var fields = await redis.GetDatabase().HashGetAsync(keys.Session(key.Hash), ["v", "d", "a", "x"]);
        if (fields[0].IsNull || fields[1].IsNull || fields[2].IsNull || fields[3].IsNull)
        {
            return null;
        }

        var payload = Unprotect((byte[])fields[1]!);
        var session = new SessionRecord
        {
            Version = (long)fields[0],
            Tokens = payload.Tokens,
            Claims = payload.Claims,
            CreatedAt = payload.CreatedAt,
            LogoutId = payload.LogoutId,
            LastActiveAt = DateTimeOffset.FromUnixTimeMilliseconds((long)fields[2]),
            AbsoluteExpiresAt = DateTimeOffset.FromUnixTimeMilliseconds((long)fields[3]),
        };
        return session.IsExpired(time.GetUtcNow(), _idleTimeout) ? null : session;
    }

    public async Task CreateAsync(SessionKey key, SessionRecord session, CancellationToken cancellationToken)
    {
        var redisKey = keys.Session(key.Hash);
        var transaction = redis.GetDatabase().CreateTransaction();
        _ = transaction.KeyDeleteAsync(redisKey);
        _ = transaction.HashSetAsync(redisKey,
        [
            new HashEntry("v", session.Version),
            new HashEntry("d", Protect(session)),
            new HashEntry("a", session.LastActiveAt.ToUnixTimeMilliseconds()),
            new HashEntry("x", session.AbsoluteExpiresAt.ToUnixTimeMilliseconds()),
        ]);
        _ = transaction.KeyExpireAsync(redisKey, TimeToLive(session.LastActiveAt, session.AbsoluteExpiresAt));
        if (!await transaction.ExecuteAsync())
        {
            throw new RedisException("The session could not be stored.");
        }
    }

    public async Task<SessionRecord?> TryReplaceTokensAsync(SessionKey key, SessionRecord current, TokenSet tokens, CancellationToken cancellationToken)
    {
        // No read here: the caller read `current` under the refresh lock, and the script is the fence.
        var updated = current with { Version = current.Version + 1, Tokens = tokens };
        var written = (int)await redis.GetDatabase().ScriptEvaluateAsync(ReplaceIfVersion,
            new { key = keys.Session(key.Hash), expected = current.Version, payload = Protect(updated) });
        return written == 1 ? updated : null;
    }

    public Task TouchAsync(SessionKey key, DateTimeOffset lastActiveAt, CancellationToken cancellationToken) =>
        redis.GetDatabase().ScriptEvaluateAsync(TouchIfExists, new
        {
            key = keys.Session(key.Hash),
            lastActive = lastActiveAt.ToUnixTimeMilliseconds(),
            idle = (long)_idleTimeout.TotalMilliseconds,
            now = time.GetUtcNow().ToUnixTimeMilliseconds(),
        });

    public Task RemoveAsync(SessionKey key, CancellationToken cancellationToken) =>
        redis.GetDatabase().KeyDeleteAsync(keys.Session(key.Hash));

    // Rounded up to the millisecond: a mark is compared with when a token was issued, and must not fall before
    // an instant it recorded (a use at the very instant of issue is a use of that token).
    public Task MarkUsedAsync(SessionKey key, string targetId, DateTimeOffset at) =>
        redis.GetDatabase().ScriptEvaluateAsync(MarkIfExists, new
        {
            key = keys.Session(key.Hash),
            field = UseField(targetId),
            at = at.AddTicks(TimeSpan.TicksPerMillisecond - 1).ToUnixTimeMilliseconds(),
        });

    public async Task<DateTimeOffset?> LastUsedAsync(SessionKey key, string targetId)
    {
        var marked = await redis.GetDatabase().HashGetAsync(keys.Session(key.Hash), UseField(targetId));
        return marked.IsNull ? null : DateTimeOffset.FromUnixTimeMilliseconds((long)marked);
    }

    /// <summary>A target's use mark: <c>u:</c> and the hash of its id (which names an API, and may be long).</summary>
    private static string UseField(string targetId) => "u:" + Hashing.Hash(targetId);

    private TimeSpan TimeToLive(DateTimeOffset lastActiveAt, DateTimeOffset absoluteExpiresAt)
    {
        var expiresAt = lastActiveAt + _idleTimeout < absoluteExpiresAt ? lastActiveAt + _idleTimeout : absoluteExpiresAt;
        var ttl = expiresAt - time.GetUtcNow();
        return ttl > TimeSpan.FromMilliseconds(1) ? ttl : TimeSpan.FromMilliseconds(1);
    }

    private byte[] Protect(SessionRecord session) =>
        _protector.Protect(SessionPayloadFormat.Encode(new SessionPayload(session.Tokens, session.Claims, session.CreatedAt, session.LogoutId)));

    private SessionPayload Unprotect(byte[] protectedPayload) => SessionPayloadFormat.Decode(_protector.Unprotect(protectedPayload));
}
