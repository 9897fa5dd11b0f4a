using Bff.Configuration;
using Bff.Redis;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Bff.Sessions;

/// <summary>
/// Sessions in a Redis hash: <c>v</c> version; <c>r</c> the request view (access tokens, claims: what a proxied
/// request reads) encrypted by <see cref="SessionViewCipher"/>; <c>s</c> the refresh and id tokens, compressed and
/// encrypted with ASP.NET Data Protection (both keyed from its key ring: a dump yields no usable token, DESIGN
/// invariant 8; formats in <see cref="SessionFieldFormat"/>); <c>a</c> last activity and <c>x</c> absolute expiry
/// in Unix milliseconds; <c>u:…</c> the last use of each target's token. The key's TTL follows the idle and
/// absolute lifetimes. Sessions written before <c>r</c> and <c>s</c> hold one field <c>d</c> instead
/// (<see cref="SessionPayloadFormat"/>): still read, and replaced by the session's next token write.
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
        redis.call('HSET', @key, 'v', tonumber(@expected) + 1, 'r', @view, 's', @secrets)
        if @earlier == '' then redis.call('HDEL', @key, 'd') else redis.call('HSET', @key, 'd', @earlier) end
        return 1
        """);

    // Sliding idle timeout: only an existing session is touched, its activity only moves forward, and its TTL
    // follows the earlier of the idle and absolute ends (the absolute one, x, is read here, not by a round trip).
    private static readonly LuaScript TouchIfExists = LuaScript.Prepare("""
        local xa = redis.call('HMGET', @key, 'x', 'a')
        if not xa[1] then return 0 end
        local active = tonumber(@lastActive)
        if active <= tonumber(xa[2] or '0') then return 0 end
        local ends = math.min(active + tonumber(@idle), tonumber(xa[1]))
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

    private static readonly RedisValue[] ViewFields = ["v", "a", "x", "r"];
    private static readonly RedisValue[] AllFields = ["v", "a", "x", "r", "s", "d"];

    // The purpose string of the single payload field of earlier releases is kept: the secrets use it too.
    private readonly IDataProtector _protector = dataProtection.CreateProtector("Bff.Sessions.RedisSessionStore.v1");
    private readonly SessionViewCipher _viewCipher = new(redis, keys, dataProtection);
    private readonly TimeSpan _idleTimeout = options.Value.Session.IdleTimeout;
    private readonly bool _writeEarlierLayout = options.Value.Redis.WriteEarlierLayout;

    public async Task<SessionRecord?> GetAsync(SessionKey key, CancellationToken cancellationToken)
    {
        var fields = await redis.GetDatabase().HashGetAsync(keys.Session(key.Hash), AllFields);
        if (fields[3].IsNull)
        {
            return ReadEarlierLayout(fields);
        }

        var session = await ReadViewAsync(key, fields);
        if (session is null || fields[4].IsNull)
        {
            return null;
        }

        var (refreshToken, idToken) = SessionFieldFormat.DecodeSecrets(_protector.Unprotect((byte[])fields[4]!));
        return session with { Tokens = session.Tokens with { RefreshToken = refreshToken, IdToken = idToken } };
    }

    public async Task<SessionRecord?> GetRequestViewAsync(SessionKey key, CancellationToken cancellationToken)
    {
        var fields = await redis.GetDatabase().HashGetAsync(keys.Session(key.Hash), ViewFields);
        if (fields[3].IsNull)
        {
            // No view: a session of an earlier release (or none at all); one more read for the whole hash.
            return (await GetAsync(key, cancellationToken))?.WithoutSecrets();
        }

        return await ReadViewAsync(key, fields);
    }

    /// <summary>The session from its clear fields and request view (fields v, a, x, r first), or null when incomplete or expired.</summary>
    private async Task<SessionRecord?> ReadViewAsync(SessionKey key, RedisValue[] fields)
    {
        if (fields[0].IsNull || fields[1].IsNull || fields[2].IsNull)
        {
            return null;
        }

        var lastActiveAt = DateTimeOffset.FromUnixTimeMilliseconds((long)fields[1]);
        var absoluteExpiresAt = DateTimeOffset.FromUnixTimeMilliseconds((long)fields[2]);
        if (SessionRecord.IsExpired(lastActiveAt, absoluteExpiresAt, time.GetUtcNow(), _idleTimeout))
        {
            return null;
        }

        var view = await _viewCipher.UnprotectAsync(key.Hash, (byte[])fields[3]!);
        return SessionFieldFormat.DecodeView(view, (long)fields[0], lastActiveAt, absoluteExpiresAt);
    }

    /// <summary>A session whose tokens and claims are all in <c>d</c> (fields as <see cref="AllFields"/>).</summary>
    private SessionRecord? ReadEarlierLayout(RedisValue[] fields)
    {
        if (fields[0].IsNull || fields[1].IsNull || fields[2].IsNull || fields[5].IsNull)
        {
            return null;
        }

        var payload = SessionPayloadFormat.Decode(_protector.Unprotect((byte[])fields[5]!));
        var session = new SessionRecord
        {
            Version = (long)fields[0],
            Tokens = payload.Tokens,
            Claims = payload.Claims,
            CreatedAt = payload.CreatedAt,
            LogoutId = payload.LogoutId,
            LastActiveAt = DateTimeOffset.FromUnixTimeMilliseconds((long)fields[1]),
            AbsoluteExpiresAt = DateTimeOffset.FromUnixTimeMilliseconds((long)fields[2]),
        };
        return session.IsExpired(time.GetUtcNow(), _idleTimeout) ? null : session;
    }

    public async Task CreateAsync(SessionKey key, SessionRecord session, CancellationToken cancellationToken)
    {
        var redisKey = keys.Session(key.Hash);
        var view = await _viewCipher.ProtectAsync(key.Hash, SessionFieldFormat.EncodeView(session));
        var transaction = redis.GetDatabase().CreateTransaction();
        _ = transaction.KeyDeleteAsync(redisKey);
        _ = transaction.HashSetAsync(redisKey,
        [
            new HashEntry("v", session.Version),
            new HashEntry("r", view),
            new HashEntry("s", ProtectSecrets(session.Tokens)),
            new HashEntry("a", session.LastActiveAt.ToUnixTimeMilliseconds()),
            new HashEntry("x", session.AbsoluteExpiresAt.ToUnixTimeMilliseconds()),
        ]);
        if (_writeEarlierLayout)
        {
            _ = transaction.HashSetAsync(redisKey, "d", ProtectEarlierLayout(session));
        }

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
        var view = await _viewCipher.ProtectAsync(key.Hash, SessionFieldFormat.EncodeView(updated));
        var written = (int)await redis.GetDatabase().ScriptEvaluateAsync(ReplaceIfVersion,
            new { key = keys.Session(key.Hash), expected = current.Version, view, secrets = ProtectSecrets(tokens), earlier = _writeEarlierLayout ? ProtectEarlierLayout(updated) : [] });
        return written == 1 ? updated : null;
    }

    /// <summary>One pipelined batch: the commands leave together, and Redis wakes once for them, not once each.</summary>
    public Task TouchAsync(IReadOnlyCollection<SessionTouch> touches, CancellationToken cancellationToken)
    {
        var batch = redis.GetDatabase().CreateBatch();
        var idle = (long)_idleTimeout.TotalMilliseconds;
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var written = touches.Select(touch => batch.ScriptEvaluateAsync(TouchIfExists, new
        {
            key = keys.Session(touch.Key.Hash),
            lastActive = touch.LastActiveAt.ToUnixTimeMilliseconds(),
            idle,
            now,
        })).ToArray();
        batch.Execute();
        return Task.WhenAll(written);
    }

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

    private byte[] ProtectSecrets(TokenSet tokens) => _protector.Protect(SessionFieldFormat.EncodeSecrets(tokens));

    private byte[] ProtectEarlierLayout(SessionRecord session) =>
        _protector.Protect(SessionPayloadFormat.Encode(new SessionPayload(session.Tokens, session.Claims, session.CreatedAt, session.LogoutId)));
}
