using System.Text.Json;

namespace Bff.Sessions;

/// <summary>
/// The single encrypted field (<c>d</c>) of sessions written before the request view and the secrets were
/// stored apart (<see cref="SessionFieldFormat"/>): the whole payload's JSON, Brotli-compressed behind a
/// one-byte marker (<see cref="BrotliBlock"/>), or, before that, plain JSON (which starts with '{'). Only read,
/// so an upgrade logs nobody out; the session's next token write stores it in the new layout.
/// </summary>
internal static class SessionPayloadFormat
{
    public const byte BrotliJson = 1;

    public static byte[] Encode(SessionPayload payload) =>
        BrotliBlock.Compress(BrotliJson, JsonSerializer.SerializeToUtf8Bytes(payload, SessionPayloadJsonContext.Default.SessionPayload));

    /// <exception cref="InvalidDataException">Not a payload this gateway wrote.</exception>
    public static SessionPayload Decode(ReadOnlySpan<byte> plaintext) =>
        plaintext.Length > 0 && plaintext[0] == (byte)'{' ? Deserialize(plaintext) : Deserialize(BrotliBlock.Decompress(BrotliJson, plaintext));

    private static SessionPayload Deserialize(ReadOnlySpan<byte> json) =>
        JsonSerializer.Deserialize(json, SessionPayloadJsonContext.Default.SessionPayload)
        ?? throw new InvalidDataException("Empty session payload.");
}
