using System.Buffers.Text;
using System.Security.Cryptography;
using Bff.Redis;

namespace Bff.Sessions;

/// <summary>
/// A session's identity: <see cref="Id"/> is the secret the cookie carries; <see cref="Hash"/> (SHA-256,
/// base64url) is the only form that reaches Redis keys and logs (DESIGN invariant 8).
/// </summary>
internal readonly record struct SessionKey(string Id, string Hash)
{
    private const int IdBytes = 32;

    /// <summary>Length of the base64url text of <see cref="IdBytes"/> random bytes.</summary>
    internal const int IdLength = 43;

    public static SessionKey CreateNew()
    {
        Span<byte> bytes = stackalloc byte[IdBytes];
        RandomNumberGenerator.Fill(bytes);
        return FromTrustedId(Base64Url.EncodeToString(bytes));
    }

    /// <summary>Parses a cookie value; anything that is not exactly a 256-bit base64url id is rejected.</summary>
    public static bool TryParse(string? cookieValue, out SessionKey key)
    {
        key = default;
        if (cookieValue is null || cookieValue.Length != IdLength || !Base64Url.IsValid(cookieValue, out var decodedLength)
            || decodedLength != IdBytes)
        {
            return false;
        }

        key = FromTrustedId(cookieValue);
        return true;
    }

    /// <summary>
    /// A key for server-side work that has no cookie at hand (the sweeper, back-channel logout): stores and
    /// locks address sessions by hash only. <see cref="Id"/> is empty and must never be written to a cookie.
    /// </summary>
    public static SessionKey FromHash(string hash) => new("", hash);

    private static SessionKey FromTrustedId(string id) => new(id, Hashing.Hash(id));

    /// <summary>Never print the id itself.</summary>
    public override string ToString() => Hash;
}
