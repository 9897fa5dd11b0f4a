using System.Security.Cryptography;
using System.Text.Json;
using Bff.Redis;
using Bff.Sessions;
using Bff.Tests.Infrastructure;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Bff.Tests.Sessions;

/// <summary>The store contract against a real redis-server, plus what only Redis must show: nothing usable at rest.</summary>
public sealed class RedisSessionStoreTests : SessionStoreContract, IClassFixture<RedisServer>
{
    private readonly RedisServer _redis;
    private readonly EphemeralDataProtectionProvider _dataProtection = new();
    private readonly RedisKeys _keys;

    public RedisSessionStoreTests(RedisServer redis)
    {
        _redis = redis;
        var options = Options.Create(StoreOptions.With(IdleTimeout, AbsoluteTimeout, $"bff-test-{Guid.NewGuid():N}:"));
        _keys = new RedisKeys(options);
        Store = new RedisSessionStore(redis.Connection, _keys, _dataProtection, options, Clock);
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

        var ttl = await _redis.Connection.GetDatabase().KeyTimeToLiveAsync(_keys.Session(key.Hash));

        Assert.NotNull(ttl);
        Assert.InRange(ttl.Value, IdleTimeout - TimeSpan.FromMinutes(1), IdleTimeout);
    }

    [Fact]
    public async Task the_encrypted_payload_is_smaller_than_the_tokens_it_holds()
    {
        // Provider tokens are base64url text (random here, as an encrypted token is): compressed before
        // encryption, the whole payload with claims and envelope costs less than the tokens' own bytes.
        var tokens = new TokenSet(RandomToken(1300), RandomToken(2500), RandomToken(1100), Clock.GetUtcNow().AddMinutes(5));
        var key = SessionKey.CreateNew();
        await Store.CreateAsync(key, NewSession() with { Tokens = tokens }, CancellationToken.None);

        var payloadBytes = (long)await _redis.Connection.GetDatabase().ExecuteAsync("HSTRLEN", _keys.Session(key.Hash), "d");

        Assert.InRange(payloadBytes, 1, tokens.AccessToken.Length + tokens.RefreshToken!.Length + tokens.IdToken!.Length - 1);
        Assert.Equal(tokens, (await Store.GetAsync(key, CancellationToken.None))?.Tokens);
    }

    [Fact]
    public async Task a_session_written_before_payload_compression_is_still_read()
    {
        // The previous format: the payload's JSON encrypted as is. Sessions in Redis outlive an upgrade.
        var key = SessionKey.CreateNew();
        var session = NewSession("access-from-the-previous-release");
        var json = JsonSerializer.SerializeToUtf8Bytes(
            new SessionPayload(session.Tokens, session.Claims, session.CreatedAt, session.LogoutId),
            SessionPayloadJsonContext.Default.SessionPayload);
        var payload = _dataProtection.CreateProtector("Bff.Sessions.RedisSessionStore.v1").Protect(json);
        await _redis.Connection.GetDatabase().HashSetAsync(_keys.Session(key.Hash),
        [
            new HashEntry("v", session.Version),
            new HashEntry("d", payload),
            new HashEntry("a", session.LastActiveAt.ToUnixTimeMilliseconds()),
            new HashEntry("x", session.AbsoluteExpiresAt.ToUnixTimeMilliseconds()),
        ]);

        var read = await Store.GetAsync(key, CancellationToken.None);

        Assert.NotNull(read);
        Assert.Equal(session.Tokens, read.Tokens);
        Assert.Equal(session.Claims, read.Claims);
        Assert.Equal(session.LogoutId, read.LogoutId);
    }

    private static string RandomToken(int length) =>
        RandomNumberGenerator.GetString("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", length);
}
