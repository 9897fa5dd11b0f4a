using Bff.Redis;
using StackExchange.Redis;

namespace Bff.Tracking;

/// <summary>Redis sets of session hashes per hashed <c>sub</c> and <c>sid</c>, expiring with the longest-lived member.</summary>
internal sealed class RedisSessionIndex(IConnectionMultiplexer redis, RedisKeys keys, TimeProvider time) : ISessionIndex
{
    public async Task AddAsync(string sessionHash, ProviderIdentity identity, DateTimeOffset expiresAt)
    {
        var database = redis.GetDatabase();
        var ttl = expiresAt - time.GetUtcNow();
        foreach (var key in KeysOf(identity))
        {
            await database.SetAddAsync(key, sessionHash);
            // Extend only: a set lives as long as its longest-lived session.
            await database.KeyExpireAsync(key, ttl, ExpireWhen.GreaterThanCurrentExpiry);
            await database.KeyExpireAsync(key, ttl, ExpireWhen.HasNoExpiry);
        }
    }

    public async Task RemoveAsync(string sessionHash, ProviderIdentity identity)
    {
        var database = redis.GetDatabase();
        foreach (var key in KeysOf(identity))
        {
            await database.SetRemoveAsync(key, sessionHash);
        }
    }

    public async Task<IReadOnlyCollection<string>> FindAsync(string? subject, string? sid)
    {
        if (sid is null && subject is null)
        {
            return [];
        }

        var key = sid is not null ? keys.ProviderSessionIndex(sid) : keys.SubjectIndex(subject!);
        return (await redis.GetDatabase().SetMembersAsync(key)).Select(v => (string)v!).ToArray();
    }

    private IEnumerable<RedisKey> KeysOf(ProviderIdentity identity)
    {
        if (identity.Subject is { } subject)
        {
            yield return keys.SubjectIndex(subject);
        }

        if (identity.SessionId is { } sid)
        {
            yield return keys.ProviderSessionIndex(sid);
        }
    }
}
