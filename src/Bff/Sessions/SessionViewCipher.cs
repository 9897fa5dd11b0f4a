using System.Security.Cryptography;
using System.Text;
using Bff.Redis;
using Microsoft.AspNetCore.DataProtection;
using StackExchange.Redis;

namespace Bff.Sessions;

/// <summary>
/// Encrypts and authenticates sessions' request views (<see cref="SessionFieldFormat"/>), which every session-cache
/// miss reads: AES-256-GCM under a key of each session's own, derived (HKDF-SHA256, RFC 5869) from a fleet key by
/// the session's hash. The fleet key is 32 random bytes kept in Redis (<see cref="RedisKeys.SessionViewKey"/>)
/// protected by the Data Protection key ring, so a Redis dump without the key ring yields no usable token
/// (DESIGN invariant 8), as before; what changes is the cost of a read: one HMAC and one AES-GCM pass, where Data
/// Protection's managed encryptor derived a key (SP800-108) and ran AES-CBC and HMAC over the whole payload.
/// A per-session key also bounds how many messages one key encrypts under random 96-bit nonces (a session's
/// writes, never the fleet's), so the fleet key needs no rotation for wear; a view copied to another session's
/// hash fails to authenticate.
/// </summary>
internal sealed class SessionViewCipher(IConnectionMultiplexer redis, RedisKeys keys, IDataProtectionProvider dataProtection)
{
    private const byte Format = 1;
    private const int KeyIdLength = 4;
    private const int KeyLength = 32;
    private const int NonceLength = 12;
    private const int TagLength = 16;
    private const int HeaderLength = 1 + KeyIdLength + NonceLength + TagLength;

    private readonly IDataProtector _keyProtector = dataProtection.CreateProtector("Bff.Sessions.SessionViewCipher.v1");
    private Task<FleetKey>? _key;

    public async Task<byte[]> ProtectAsync(string sessionHash, byte[] plaintext)
    {
        var key = await KeyAsync();
        var protectedView = new byte[HeaderLength + plaintext.Length];
        protectedView[0] = Format;
        key.Id.CopyTo(protectedView.AsSpan(1));
        var nonce = protectedView.AsSpan(1 + KeyIdLength, NonceLength);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(SessionKey(key, sessionHash), TagLength);
        aes.Encrypt(nonce, plaintext, protectedView.AsSpan(HeaderLength), protectedView.AsSpan(1 + KeyIdLength + NonceLength, TagLength), protectedView.AsSpan(0, 1 + KeyIdLength));
        return protectedView;
    }

    /// <exception cref="InvalidDataException">Not a view this fleet's key wrote.</exception>
    /// <exception cref="CryptographicException">The view was altered, or belongs to another session.</exception>
    public async Task<byte[]> UnprotectAsync(string sessionHash, byte[] protectedView)
    {
        var key = await KeyAsync();
        if (protectedView.Length < HeaderLength || protectedView[0] != Format)
        {
            throw new InvalidDataException("Unknown session view format.");
        }

        if (!protectedView.AsSpan(1, KeyIdLength).SequenceEqual(key.Id))
        {
            throw new InvalidDataException($"The session view was written under another view key than {keys.SessionViewKey}.");
        }

        var plaintext = new byte[protectedView.Length - HeaderLength];
        using var aes = new AesGcm(SessionKey(key, sessionHash), TagLength);
        aes.Decrypt(protectedView.AsSpan(1 + KeyIdLength, NonceLength), protectedView.AsSpan(HeaderLength), protectedView.AsSpan(1 + KeyIdLength + NonceLength, TagLength), plaintext, protectedView.AsSpan(0, 1 + KeyIdLength));
        return plaintext;
    }

    private static byte[] SessionKey(FleetKey key, string sessionHash)
    {
        var derived = new byte[KeyLength];
        HKDF.Expand(HashAlgorithmName.SHA256, key.Secret, derived, Encoding.UTF8.GetBytes(sessionHash));
        return derived;
    }

    /// <summary>The fleet key, read (or, by the first instance, created) once; a failed read is tried again next time.</summary>
    private Task<FleetKey> KeyAsync()
    {
        var key = Volatile.Read(ref _key);
        if (key is null || key.IsFaulted || key.IsCanceled)
        {
            key = LoadAsync();
            Volatile.Write(ref _key, key);
        }

        return key;
    }

    private async Task<FleetKey> LoadAsync()
    {
        var database = redis.GetDatabase();
        var stored = await database.StringGetAsync(keys.SessionViewKey);
        if (stored.IsNull)
        {
            // Instances starting together race here: SET NX keeps the first key, and everyone reads that one.
            var created = RandomNumberGenerator.GetBytes(KeyIdLength + KeyLength);
            await database.StringSetAsync(keys.SessionViewKey, _keyProtector.Protect(created), when: When.NotExists);
            stored = await database.StringGetAsync(keys.SessionViewKey);
        }

        if (stored.IsNull)
        {
            throw new RedisException($"{keys.SessionViewKey} was removed while it was being created.");
        }

        var raw = _keyProtector.Unprotect((byte[])stored!);
        return raw.Length == KeyIdLength + KeyLength
            ? new FleetKey(raw[..KeyIdLength], raw[KeyIdLength..])
            : throw new InvalidDataException($"{keys.SessionViewKey} does not hold a session view key.");
    }

    private sealed record FleetKey(byte[] Id, byte[] Secret);
}
