using Bff.Sessions;
using Bff.Tests.Infrastructure;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;

namespace Bff.Tests.Sessions;

/// <summary>The store contract against a real redis-server, plus what only Redis must show: nothing usable at rest.</summary>
public sealed class RedisSessionStoreTests : SessionStoreContract, IClassFixture<RedisServer>
{
    private readonly RedisServer _redis;
    private readonly string _prefix = $"bff-test-{Guid.NewGuid():N}:";

    public RedisSessionStoreTests(RedisServer redis)
    {
        _redis = redis;
        var options = Options.Create(StoreOptions.With(IdleTimeout, AbsoluteTimeout, _prefix));
        Store = new RedisSessionStore(redis.Connection, new RedisKeys(options), new EphemeralDataProtectionProvider(), options, Clock);
    }

    private protected override ISessionStore Store { get; }

    [Fact]
    public async Task tokens_and_session_ids_are_not_readable_in_redis()
    {
        var key = SessionKey.CreateNew();
        var session = NewSession("access-secret-value") with
        {
            Tokens = new TokenSet("access-secret-value", "refresh-secret-value", "id-secret-value", Clock.GetUtcNow().AddMinutes(5)),
        };

        await Store.CreateAsync(key, session, CancellationToken.None);

        var dump = string.Join("\n", await _redis.DumpAsync());
        Assert.Contains(key.Hash, dump, StringComparison.Ordinal);
        Assert.DoesNotContain(key.Id, dump, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-value", dump, StringComparison.Ordinal);
        Assert.DoesNotContain("alice", dump, StringComparison.Ordinal);
    }

    [Fact]
    public async Task the_redis_key_expires_with_the_session()
    {
        var key = SessionKey.CreateNew();
        await Store.CreateAsync(key, NewSession(), CancellationToken.None);

        var ttl = await _redis.Connection.GetDatabase().KeyTimeToLiveAsync($"{_prefix}{{{key.Hash}}}:session");

        Assert.NotNull(ttl);
        Assert.InRange(ttl.Value, IdleTimeout - TimeSpan.FromMinutes(1), IdleTimeout);
    }
}
