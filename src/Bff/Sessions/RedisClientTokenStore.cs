using System.Text.Json;
using Bff.Redis;
using Microsoft.AspNetCore.DataProtection;
using StackExchange.Redis;

namespace Bff.Sessions;

/// <summary>
/// Client tokens in Redis, one string per target (<see cref="RedisKeys.ClientToken"/>), encrypted with Data
/// Protection (nothing usable at rest, DESIGN invariant 8) and expiring with the token.
/// </summary>
internal sealed class RedisClientTokenStore(IConnectionMultiplexer redis, RedisKeys keys, IDataProtectionProvider dataProtection, TimeProvider time) : IClientTokenStore
{
    private readonly IDataProtector _protector = dataProtection.CreateProtector("Bff.Sessions.RedisClientTokenStore.v1");

    public async Task<TargetToken?> GetAsync(string targetId)
    {
        var stored = await redis.GetDatabase().StringGetAsync(keys.ClientToken(Hashing.Hash(targetId)));
        return stored.IsNull ? null : JsonSerializer.Deserialize(_protector.Unprotect((byte[])stored!), SessionPayloadJsonContext.Default.TargetToken);
    }

    public Task SetAsync(string targetId, TargetToken token)
    {
        var lifetime = token.ExpiresAt - time.GetUtcNow();
        var payload = _protector.Protect(JsonSerializer.SerializeToUtf8Bytes(token, SessionPayloadJsonContext.Default.TargetToken));
        return redis.GetDatabase().StringSetAsync(keys.ClientToken(Hashing.Hash(targetId)), payload,
            lifetime > TimeSpan.FromMilliseconds(1) ? lifetime : TimeSpan.FromMilliseconds(1));
    }
}
