using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Bff.Sessions;

/// <summary>
/// The plaintexts of a Redis session's two encrypted fields, split by who reads them:
/// <list type="bullet">
/// <item>the request view (<c>r</c>): the access tokens and their expiries, the claims, the creation time and the
/// logout id, everything a proxied request needs, read on every session-cache miss;</item>
/// <item>the secrets (<c>s</c>): the refresh and id tokens, read only under the refresh lock and at logout,
/// Brotli-compressed (they are most of a session's bytes in Redis).</item>
/// </list>
/// Both are length-prefixed UTF-8 fields behind a format byte: a miss decodes a few fields in one pass, where
/// the single JSON payload before it (<see cref="SessionPayloadFormat"/>) was decompressed and deserialised whole
/// (bench/RESULTS.md, "Many sessions"). Times are UTC ticks, so they round-trip exactly.
/// </summary>
internal static class SessionFieldFormat
{
    private const byte ViewFormat = 1;
    private const byte SecretsFormat = 2;
    private const int MaxCount = 4096;

    public static byte[] EncodeView(SessionRecord session)
    {
        var writer = new FieldWriter(ViewFormat);
        var tokens = session.Tokens;
        writer.Time(session.CreatedAt);
        writer.Text(session.LogoutId);
        writer.Text(tokens.AccessTokenChars());
        writer.Time(tokens.AccessTokenExpiresAt);
        writer.Count(tokens.Targets.Count);
        foreach (var (id, token) in tokens.Targets)
        {
            writer.Text(id);
            writer.Text(BearerAuthorization.TokenSpanOf(token.Authorization));
            writer.Time(token.ExpiresAt);
            writer.Time(token.IssuedAt);
        }

        writer.Count(session.Claims.Count);
        foreach (var claim in session.Claims)
        {
            writer.Text(claim.Type);
            writer.Text(claim.Value);
        }

        return writer.ToArray();
    }

    /// <summary>
    /// The session that <paramref name="view"/> and the clear fields describe, without refresh and id tokens. The
    /// claims are checked now and decoded when first read (<see cref="ClaimsInView"/>): <paramref name="view"/> must
    /// not change afterwards.
    /// </summary>
    /// <exception cref="InvalidDataException">Not a request view this gateway wrote.</exception>
    public static SessionRecord DecodeView(byte[] view, long version, DateTimeOffset lastActiveAt, DateTimeOffset absoluteExpiresAt)
    {
        var reader = new FieldReader(view, ViewFormat);
        var createdAt = reader.Time();
        var logoutId = reader.Text();
        // Each access token straight into the header value a request sends: one string, not the token and then that.
        var authorization = reader.Authorization();
        var accessTokenExpiresAt = reader.Time();
        var tokens = TokenSet.OfAuthorization(authorization, accessTokenExpiresAt);
        var targetCount = reader.Count();
        if (targetCount > 0)
        {
            var targets = new Dictionary<string, TargetToken>(targetCount, StringComparer.Ordinal);
            for (var i = 0; i < targetCount; i++)
            {
                targets[reader.Text()] = TargetToken.OfAuthorization(reader.Authorization(), reader.Time(), reader.Time());
            }

            tokens = tokens with { Targets = targets };
        }

        var claimCount = reader.Count();
        var claimsStart = view.Length - reader.Remaining;
        for (var i = 0; i < claimCount; i++)
        {
            reader.Skip();
            reader.Skip();
        }

        reader.End();
        return new SessionRecord
        {
            Version = version,
            Tokens = tokens,
            Claims = claimCount == 0 ? [] : new ClaimsInView(view, claimsStart, claimCount),
            CreatedAt = createdAt,
            LastActiveAt = lastActiveAt,
            AbsoluteExpiresAt = absoluteExpiresAt,
            LogoutId = logoutId,
        };
    }

    public static byte[] EncodeSecrets(TokenSet tokens)
    {
        var writer = new FieldWriter(SecretsFormat);
        writer.OptionalText(tokens.RefreshToken);
        writer.OptionalText(tokens.IdToken);
        return BrotliBlock.Compress(SecretsFormat, writer.ToArray());
    }

    /// <exception cref="InvalidDataException">Not secrets this gateway wrote.</exception>
    public static (string? RefreshToken, string? IdToken) DecodeSecrets(ReadOnlySpan<byte> secrets)
    {
        var reader = new FieldReader(BrotliBlock.Decompress(SecretsFormat, secrets), SecretsFormat);
        var refreshToken = reader.OptionalText();
        var idToken = reader.OptionalText();
        reader.End();
        return (refreshToken, idToken);
    }

    /// <summary>
    /// A view's claims, decoded when first read: a proxied request never reads them (the user endpoint does), and a
    /// provider's claims (a dozen or more, with long type URIs) were, after the token, most of what each cache hit
    /// allocated. Their layout was checked by <see cref="DecodeView"/>, so decoding cannot fail.
    /// </summary>
    private sealed class ClaimsInView(byte[] view, int start, int count) : IReadOnlyList<SessionClaim>
    {
        private SessionClaim[]? _claims;

        public int Count => count;

        public SessionClaim this[int index] => Claims[index];

        // Two requests reading at once both decode: equal arrays, either kept.
        private SessionClaim[] Claims => _claims ??= Decode();

        public IEnumerator<SessionClaim> GetEnumerator() => ((IEnumerable<SessionClaim>)Claims).GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

        private SessionClaim[] Decode()
        {
            var reader = FieldReader.Resume(view.AsSpan(start));
            var claims = new SessionClaim[count];
            for (var i = 0; i < claims.Length; i++)
            {
                claims[i] = new SessionClaim(reader.Text(), reader.Text());
            }

            return claims;
        }
    }

    private readonly struct FieldWriter
    {
        private readonly ArrayBufferWriter<byte> _buffer = new(2048);

        public FieldWriter(byte format) => _buffer.Write([format]);

        public void Time(DateTimeOffset value)
        {
            BinaryPrimitives.WriteInt64LittleEndian(_buffer.GetSpan(sizeof(long)), value.UtcTicks);
            _buffer.Advance(sizeof(long));
        }

        public void Count(int value) => Length(value);

        public void Text(ReadOnlySpan<char> value) => Utf8(value, lengthOffset: 0);

        // Absent is a length of 0, present a length one more than the text's.
        public void OptionalText(string? value)
        {
            if (value is null)
            {
                Length(0);
                return;
            }

            Utf8(value, lengthOffset: 1);
        }

        public byte[] ToArray() => _buffer.WrittenSpan.ToArray();

        private void Length(int value)
        {
            BinaryPrimitives.WriteInt32LittleEndian(_buffer.GetSpan(sizeof(int)), value);
            _buffer.Advance(sizeof(int));
        }

        private void Utf8(ReadOnlySpan<char> value, int lengthOffset)
        {
            Length(Encoding.UTF8.GetByteCount(value) + lengthOffset);
            _buffer.Advance(Encoding.UTF8.GetBytes(value, _buffer.GetSpan(Encoding.UTF8.GetMaxByteCount(value.Length))));
        }
    }

    /// <summary>Reads what <see cref="FieldWriter"/> wrote; every length is checked against what is left.</summary>
    private ref struct FieldReader
    {
        private ReadOnlySpan<byte> _rest;

        public FieldReader(ReadOnlySpan<byte> data, byte format)
        {
            if (data.IsEmpty || data[0] != format)
            {
                throw new InvalidDataException("Unknown session field format.");
            }

            _rest = data[1..];
        }

        private FieldReader(ReadOnlySpan<byte> rest) => _rest = rest;

        /// <summary>How many bytes are left to read.</summary>
        public readonly int Remaining => _rest.Length;

        /// <summary>Reads on from a position an earlier reader of the same data reached.</summary>
        public static FieldReader Resume(ReadOnlySpan<byte> rest) => new(rest);

        /// <summary>Passes over one text field, its length checked.</summary>
        public void Skip() => Take(Length());

        public DateTimeOffset Time()
        {
            var ticks = BinaryPrimitives.ReadInt64LittleEndian(Take(sizeof(long)));
            if (ticks < DateTimeOffset.MinValue.UtcTicks || ticks > DateTimeOffset.MaxValue.UtcTicks)
            {
                throw new InvalidDataException("A session field holds a time out of range.");
            }

            return new DateTimeOffset(ticks, TimeSpan.Zero);
        }

        public int Count()
        {
            var count = Length();
            return count <= MaxCount ? count : throw new InvalidDataException("A session field holds too many items.");
        }

        public string Text() => Encoding.UTF8.GetString(Take(Length()));

        /// <exception cref="InvalidDataException">The token is not visible ASCII.</exception>
        public string Authorization() => BearerAuthorization.OfUtf8(Take(Length()));

        public string? OptionalText()
        {
            var length = Length();
            return length == 0 ? null : Encoding.UTF8.GetString(Take(length - 1));
        }

        public readonly void End()
        {
            if (!_rest.IsEmpty)
            {
                throw new InvalidDataException("A session field has trailing bytes.");
            }
        }

        private int Length()
        {
            var length = BinaryPrimitives.ReadInt32LittleEndian(Take(sizeof(int)));
            return length >= 0 ? length : throw new InvalidDataException("A session field holds a negative length.");
        }

        private ReadOnlySpan<byte> Take(int length)
        {
            if (length > _rest.Length)
            {
                throw new InvalidDataException("A session field is truncated.");
            }

            var taken = _rest[..length];
            _rest = _rest[length..];
            return taken;
        }
    }
}
