using System.Text;

namespace Bff.Sessions;

/// <summary>
/// An access token as the <c>Authorization</c> header value that carries it upstream (<c>Bearer &lt;token&gt;</c>,
/// RFC 6750 §2.1). Sessions keep their access tokens in this form (<see cref="TokenSet"/>, <see cref="TargetToken"/>):
/// a proxied request then sends a string it already has, and a cached copy decodes straight into it, one string per
/// request where the token and then the header were two (bench/RESULTS.md, "Many sessions").
/// </summary>
internal static class BearerAuthorization
{
    private const string Prefix = "Bearer ";

    /// <exception cref="ArgumentException"><paramref name="accessToken"/> is not <see cref="IsHeaderSafe"/>.</exception>
    public static string Of(string accessToken) => IsHeaderSafe(accessToken)
        ? string.Concat(Prefix, accessToken)
        : throw new ArgumentException("An access token must be visible ASCII to travel in an Authorization header.", nameof(accessToken));

    /// <summary>The header value for a token stored as UTF-8, in one allocation.</summary>
    /// <exception cref="InvalidDataException">Not a token this gateway would have stored.</exception>
    public static string OfUtf8(ReadOnlySpan<byte> accessToken)
    {
        // Visible ASCII is one byte a character in UTF-8, so the header's length is known before decoding.
        if (accessToken.ContainsAnyExceptInRange((byte)'!', (byte)'~'))
        {
            throw new InvalidDataException("A stored access token is not visible ASCII.");
        }

        return string.Create(Prefix.Length + accessToken.Length, accessToken, static (chars, token) =>
        {
            Prefix.CopyTo(chars);
            Encoding.ASCII.GetChars(token, chars[Prefix.Length..]);
        });
    }

    /// <summary>The token itself, a new string: for the refresh path, which compares and stores tokens.</summary>
    public static string TokenOf(string authorization) => authorization[Prefix.Length..];

    /// <summary>The token's characters, without a copy.</summary>
    public static ReadOnlySpan<char> TokenSpanOf(string authorization) => authorization.AsSpan(Prefix.Length);

    /// <summary>
    /// Whether a token can travel in a header as it is: visible ASCII only, as RFC 6750's b64token is (and no CR,
    /// LF or NUL, which would split or end the header). Checked where a token arrives from the provider.
    /// </summary>
    public static bool IsHeaderSafe(ReadOnlySpan<char> accessToken) => !accessToken.ContainsAnyExceptInRange('!', '~');
}
