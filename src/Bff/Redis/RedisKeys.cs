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
    /// <summary>
    /// On a cluster, each fleet channel is this many sharded channels, each under a hash tag of its own, so the
    /// shards share the messages. Fixed (not configured): instances that split differently would not hear each other.
    /// </summary>
    public const int ChannelBuckets = 32;

    private readonly string _prefix = options.Value.Redis.KeyPrefix;
    private readonly int _scheduleBuckets = options.Value.Redis.ScheduleBuckets;

    public RedisKey Session(string sessionHash) => $"{_prefix}{{{sessionHash}}}:session";

    public RedisKey RefreshLock(string sessionHash) => $"{_prefix}{{{sessionHash}}}:lock";

    /// <summary>The gateway's own token (client credentials) for one target, by the hash of the target's id.</summary>
    public RedisKey ClientToken(string targetHash) => $"{_prefix}client-token:{targetHash}";

    public RedisKey DataProtectionKeys => $"{_prefix}data-protection-keys";

    /// <summary>The fleet's key for sessions' request views, itself protected by the Data Protection key ring.</summary>
    public RedisKey SessionViewKey => $"{_prefix}session-view-key";

    /// <summary>
    /// The fleet's background-refresh schedule: <c>Bff:Redis:ScheduleBuckets</c> sorted sets of session hashes by
    /// due time, each in a slot of its own (hash tag <c>{s:N}</c>).
    /// </summary>
    public IReadOnlyList<RedisKey> RefreshSchedule => field ??= [.. Enumerable.Range(0, _scheduleBuckets).Select(b => (RedisKey)$"{_prefix}{{s:{b}}}:refresh-schedule")];

    /// <summary>The schedule bucket that holds a session.</summary>
    public RedisKey RefreshScheduleOf(string sessionHash) => RefreshSchedule[Hashing.Bucket(sessionHash, _scheduleBuckets)];

    /// <summary>Session hashes of one user at the provider, for back-channel logout by <c>sub</c>.</summary>
    public RedisKey SubjectIndex(string subject) => $"{_prefix}subject:{Hashing.Hash(subject)}";

    /// <summary>A used one-time value (a logout token's jti), hashed.</summary>
    public RedisKey Replay(string value) => $"{_prefix}replay:{Hashing.Hash(value)}";

    /// <summary>Session hashes of one provider session, for back-channel logout by <c>sid</c>.</summary>
    public RedisKey ProviderSessionIndex(string providerSessionId) => $"{_prefix}sid:{Hashing.Hash(providerSessionId)}";

    /// <summary>Refresh notices (a session's refresh finished or failed), for waiters on other instances.</summary>
    public FleetChannelName RefreshChannel => new(_prefix, "refreshed");

    /// <summary>Session hashes written or ended anywhere, for the instances' session caches.</summary>
    public FleetChannelName SessionChangeChannel => new(_prefix, "session-changed");
}
