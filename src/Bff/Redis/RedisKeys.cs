using Bff.Configuration;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Bff.Redis;

/// <summary>
/// Redis key layout. Every per-session key wraps the session hash in a hash tag (<c>{…}</c>) so a session's
/// keys share one Redis Cluster slot and can meet in one script. No key carries the cookie's session id.
/// </summary>
internal sealed class RedisKeys(IOptions<BffOptions> options)
{
    private readonly string _prefix = options.Value.Redis.KeyPrefix;

    public RedisKey Session(string sessionHash) => $"{_prefix}{{{sessionHash}}}:session";

    public RedisKey RefreshLock(string sessionHash) => $"{_prefix}{{{sessionHash}}}:lock";

    /// <summary>The gateway's own token (client credentials) for one target, by the hash of the target's id.</summary>
    public RedisKey ClientToken(string targetHash) => $"{_prefix}client-token:{targetHash}";

    public RedisKey DataProtectionKeys => $"{_prefix}data-protection-keys";

    /// <summary>The fleet's background-refresh schedule (a sorted set of session hashes by due time).</summary>
    public RedisKey RefreshSchedule => $"{_prefix}refresh-schedule";

    /// <summary>Session hashes of one user at the provider, for back-channel logout by <c>sub</c>.</summary>
    public RedisKey SubjectIndex(string subject) => $"{_prefix}subject:{Hashing.Hash(subject)}";

    /// <summary>A used one-time value (a logout token's jti), hashed.</summary>
    public RedisKey Replay(string value) => $"{_prefix}replay:{Hashing.Hash(value)}";

    /// <summary>Session hashes of one provider session, for back-channel logout by <c>sid</c>.</summary>
    public RedisKey ProviderSessionIndex(string providerSessionId) => $"{_prefix}sid:{Hashing.Hash(providerSessionId)}";

    public RedisChannel RefreshChannel => RedisChannel.Literal($"{_prefix}refreshed");

    /// <summary>Session hashes written or ended anywhere, for the instances' session caches.</summary>
    public RedisChannel SessionChangeChannel => RedisChannel.Literal($"{_prefix}session-changed");
}
