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
    private readonly string _keyPrefix = $"bff-test-{Guid.NewGuid():N}:";

    public RedisSessionStoreTests(RedisServer redis)
    {
        _redis = redis;
        var options = Options.Create(StoreOptions.With(IdleTimeout, AbsoluteTimeout, _keyPrefix));
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
    public async Task a_touch_writes_no_key_for_a_session_that_is_gone()
    {
        var key = SessionKey.CreateNew();
        await Store.CreateAsync(key, NewSession(), CancellationToken.None);
        await Store.RemoveAsync(key, CancellationToken.None);

        await Store.TouchAsync([new SessionTouch(key, Clock.GetUtcNow().AddMinutes(1))], CancellationToken.None);

        Assert.False(await _redis.Connection.GetDatabase().KeyExistsAsync(_keys.Session(key.Hash)));
    }

    [Fact]
    public async Task the_refresh_and_id_tokens_are_stored_compressed_apart_from_the_request_view()
    {
        // Provider tokens are base64url text (random here, as an encrypted token is): compressed before
        // encryption, the secrets field costs less than the two tokens' own bytes; the view holds neither.
        var tokens = new TokenSet(RandomToken(1300), RandomToken(2500), RandomToken(1100), Clock.GetUtcNow().AddMinutes(5));
        var key = SessionKey.CreateNew();
        await Store.CreateAsync(key, NewSession() with { Tokens = tokens }, CancellationToken.None);

        var database = _redis.Connection.GetDatabase();
        var secretsBytes = (long)await database.ExecuteAsync("HSTRLEN", _keys.Session(key.Hash), "s");
        var viewBytes = (long)await database.ExecuteAsync("HSTRLEN", _keys.Session(key.Hash), "r");

        Assert.InRange(secretsBytes, 1, tokens.RefreshToken!.Length + tokens.IdToken!.Length - 1);
        Assert.InRange(viewBytes, tokens.AccessToken.Length, tokens.AccessToken.Length + 200);
        Assert.Equal(tokens, (await Store.GetAsync(key, CancellationToken.None))?.Tokens);
    }

    [Fact]
    public async Task sessions_need_the_key_ring_that_wrote_them()
    {
        // The request view's key sits in Redis protected by the key ring: a gateway with another key ring, given
        // the same Redis, reads no token (DESIGN invariant 8).
        var key = SessionKey.CreateNew();
        await Store.CreateAsync(key, NewSession(), CancellationToken.None);
        var options = Options.Create(StoreOptions.With(IdleTimeout, AbsoluteTimeout, _keyPrefix));
        var stranger = new RedisSessionStore(_redis.Connection, new RedisKeys(options), new EphemeralDataProtectionProvider(), options, Clock);

        await Assert.ThrowsAnyAsync<CryptographicException>(() => stranger.GetRequestViewAsync(key, CancellationToken.None));
        await Assert.ThrowsAnyAsync<CryptographicException>(() => stranger.GetAsync(key, CancellationToken.None));
    }

    [Fact]
    public async Task a_request_view_moved_to_another_session_does_not_decrypt()
    {
        var victim = SessionKey.CreateNew();
        var attacker = SessionKey.CreateNew();
        await Store.CreateAsync(victim, NewSession("victim-token"), CancellationToken.None);
        await Store.CreateAsync(attacker, NewSession("attacker-token"), CancellationToken.None);
        var database = _redis.Connection.GetDatabase();

        await database.HashSetAsync(_keys.Session(attacker.Hash), "r", await database.HashGetAsync(_keys.Session(victim.Hash), "r"));

        await Assert.ThrowsAnyAsync<CryptographicException>(() => Store.GetRequestViewAsync(attacker, CancellationToken.None));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task a_session_of_an_earlier_release_is_read_and_moves_to_the_split_layout_at_its_next_token_write(bool compressed)
    {
        // The earlier formats: the whole payload's JSON in one field d, Brotli-compressed behind a marker, or,
        // before that, as is. Sessions in Redis outlive an upgrade.
        var key = SessionKey.CreateNew();
        var session = NewSession("access-from-the-previous-release");
        var json = JsonSerializer.SerializeToUtf8Bytes(
            new SessionPayload(session.Tokens, session.Claims, session.CreatedAt, session.LogoutId),
            SessionPayloadJsonContext.Default.SessionPayload);
        var payload = _dataProtection.CreateProtector("Bff.Sessions.RedisSessionStore.v1").Protect(compressed ? BrotliBlock.Compress(SessionPayloadFormat.BrotliJson, json) : json);
        var database = _redis.Connection.GetDatabase();
        await database.HashSetAsync(_keys.Session(key.Hash),
        [
            new HashEntry("v", session.Version),
            new HashEntry("d", payload),
            new HashEntry("a", session.LastActiveAt.ToUnixTimeMilliseconds()),
            new HashEntry("x", session.AbsoluteExpiresAt.ToUnixTimeMilliseconds()),
        ]);

        var read = await Store.GetAsync(key, CancellationToken.None);
        var view = await Store.GetRequestViewAsync(key, CancellationToken.None);

        Assert.NotNull(read);
        Assert.Equal(session.Tokens, read.Tokens);
        Assert.Equal(session.Claims, read.Claims);
        Assert.Equal(session.LogoutId, read.LogoutId);
        Assert.Equal(session.Tokens with { RefreshToken = null, IdToken = null }, view?.Tokens);

        var refreshed = read.Tokens with { AccessToken = "access-2", RefreshToken = "refresh-2" };
        Assert.NotNull(await Store.TryReplaceTokensAsync(key, read, refreshed, CancellationToken.None));
        Assert.False(await database.HashExistsAsync(_keys.Session(key.Hash), "d"));
        Assert.Equal(refreshed, (await Store.GetAsync(key, CancellationToken.None))?.Tokens);
        Assert.Equal(session.Claims, (await Store.GetRequestViewAsync(key, CancellationToken.None))?.Claims);
    }

    [Fact]
    public async Task with_the_earlier_layout_written_too_a_release_before_the_split_reads_every_write()
    {
        // What an instance of that release reads: field d, the whole payload, under the same protector.
        var options = Options.Create(StoreOptions.With(IdleTimeout, AbsoluteTimeout, _keyPrefix));
        options.Value.Redis.WriteEarlierLayout = true;
        var store = new RedisSessionStore(_redis.Connection, _keys, _dataProtection, options, Clock);
        var key = SessionKey.CreateNew();
        var session = NewSession();
        var database = _redis.Connection.GetDatabase();
        async Task<SessionPayload> EarlierReadAsync() => SessionPayloadFormat.Decode(
            _dataProtection.CreateProtector("Bff.Sessions.RedisSessionStore.v1").Unprotect((byte[])(await database.HashGetAsync(_keys.Session(key.Hash), "d"))!));

        await store.CreateAsync(key, session, CancellationToken.None);
        Assert.Equal(session.Tokens, (await EarlierReadAsync()).Tokens);

        var refreshed = session.Tokens with { AccessToken = "access-2", RefreshToken = "refresh-2" };
        Assert.NotNull(await store.TryReplaceTokensAsync(key, (await store.GetAsync(key, CancellationToken.None))!, refreshed, CancellationToken.None));
        var earlier = await EarlierReadAsync();
        Assert.Equal(refreshed, earlier.Tokens);
        Assert.Equal(session.Claims, earlier.Claims);
        Assert.Equal(refreshed, (await store.GetAsync(key, CancellationToken.None))?.Tokens);
    }

    private static string RandomToken(int length) =>
        RandomNumberGenerator.GetString("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", length);
}
