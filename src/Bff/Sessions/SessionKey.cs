using System.Buffers.Text;
using System.Security.Cryptography;

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

    private static SessionKey FromTrustedId(string id)
    {
        Span<byte> idBytes = stackalloc byte[IdLength];
        var written = System.Text.Encoding.ASCII.GetBytes(id, idBytes);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(idBytes[..written], hash);
        return new SessionKey(id, Base64Url.EncodeToString(hash));
    }

    /// <summary>Never print the id itself.</summary>
    public override string ToString() => Hash;
}
