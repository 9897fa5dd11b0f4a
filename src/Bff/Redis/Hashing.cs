using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Bff.Redis;

/// <summary>SHA-256, base64url: how identifiers (session ids, subjects, provider session ids) appear in keys and logs.</summary>
internal static class Hashing
{
    public static string Hash(string value)
    {
        var maxBytes = Encoding.UTF8.GetMaxByteCount(value.Length);
        var buffer = maxBytes <= 256 ? stackalloc byte[maxBytes] : new byte[maxBytes];
        var written = Encoding.UTF8.GetBytes(value, buffer);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(buffer[..written], hash);
        return Base64Url.EncodeToString(hash);
    }

    /// <summary>
    /// Which of <paramref name="count"/> buckets a session hash falls in: FNV-1a over its characters, the same on
    /// every instance and every run (unlike <see cref="string.GetHashCode()"/>).
    /// </summary>
    public static int Bucket(string value, int count)
    {
        var hash = 2166136261u;
        foreach (var c in value)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (int)(hash % (uint)count);
    }
}
