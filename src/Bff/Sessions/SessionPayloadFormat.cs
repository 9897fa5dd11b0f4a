using System.Buffers.Binary;
using System.IO.Compression;
using System.Text.Json;

namespace Bff.Sessions;

/// <summary>
/// The plaintext inside a Redis session's encrypted field: the payload's JSON, Brotli-compressed behind a
/// one-byte format marker and its uncompressed length. Tokens are base64url text, which compresses by about a
/// quarter, and they are most of what a session costs in Redis (bench/RESULTS.md, "Memory").
/// Compressing before encrypting reveals nothing here: a field holds one session's data only, and its length
/// is visible only to whoever can read Redis. Payloads written before compression (plain JSON, which starts
/// with '{') are still read, so an upgrade logs nobody out.
/// </summary>
internal static class SessionPayloadFormat
{
    private const byte BrotliJson = 1;
    private const int HeaderLength = 1 + sizeof(int);
    private const int MaxJsonBytes = 1 << 20;

    // Quality 5 is within a few percent of the best ratio on token text at a fraction of the time; sessions
    // are written at sign-in and refresh only.
    private const int Quality = 5;
    private const int WindowBits = 22;

    public static byte[] Encode(SessionPayload payload)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(payload, SessionPayloadJsonContext.Default.SessionPayload);
        var buffer = new byte[HeaderLength + BrotliEncoder.GetMaxCompressedLength(json.Length)];
        buffer[0] = BrotliJson;
        BinaryPrimitives.WriteInt32LittleEndian(buffer.AsSpan(1), json.Length);
        if (!BrotliEncoder.TryCompress(json, buffer.AsSpan(HeaderLength), out var written, Quality, WindowBits))
        {
            throw new InvalidOperationException("A session payload could not be compressed.");
        }

        return buffer[..(HeaderLength + written)];
    }

    /// <exception cref="InvalidDataException">Not a payload this gateway wrote.</exception>
    public static SessionPayload Decode(ReadOnlySpan<byte> plaintext)
    {
        if (plaintext.Length > 0 && plaintext[0] == (byte)'{')
        {
            return Deserialize(plaintext);
        }

        if (plaintext.Length < HeaderLength || plaintext[0] != BrotliJson)
        {
            throw new InvalidDataException("Unknown session payload format.");
        }

        var length = BinaryPrimitives.ReadInt32LittleEndian(plaintext[1..]);
        if (length is <= 0 or > MaxJsonBytes)
        {
            throw new InvalidDataException($"Session payload length {length} is out of range.");
        }

        var json = new byte[length];
        if (!BrotliDecoder.TryDecompress(plaintext[HeaderLength..], json, out var written) || written != length)
        {
            throw new InvalidDataException("A session payload could not be decompressed.");
        }

        return Deserialize(json);
    }

    private static SessionPayload Deserialize(ReadOnlySpan<byte> json) =>
        JsonSerializer.Deserialize(json, SessionPayloadJsonContext.Default.SessionPayload)
        ?? throw new InvalidDataException("Empty session payload.");
}
