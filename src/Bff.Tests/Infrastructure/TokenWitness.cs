using System.Collections.Concurrent;
using System.Text.RegularExpressions;

namespace Bff.Tests.Infrastructure;

/// <summary>
/// Sees everything that reached a test browser (the test HTTP client's responses and Chromium's), and remembers
/// every run of 20 or more base64url characters in it: whole opaque tokens, and each segment of a JWT or JWE.
/// Fixtures check at the end that no token their provider issued ever reached a browser (DESIGN invariant 6),
/// across every test of the suite, whatever the token's shape.
/// </summary>
public static partial class TokenWitness
{
    private static readonly ConcurrentDictionary<string, byte> Seen = new(StringComparer.Ordinal);

    public static void Record(string text)
    {
        foreach (Match match in SecretShape().Matches(text))
        {
            Seen.TryAdd(match.Value, 0);
        }
    }

    /// <summary>
    /// Fails if any of <paramref name="tokens"/> was seen: an opaque token whole, or a JWT/JWE by its last
    /// segment (signature or tag, unique per token; the header and payload segments may repeat across tokens).
    /// </summary>
    public static void AssertNoneSeen(IEnumerable<string> tokens, string where)
    {
        foreach (var token in tokens)
        {
            foreach (Match secret in SecretShape().Matches(token.Split('.')[^1]))
            {
                if (Seen.ContainsKey(secret.Value))
                {
                    throw new InvalidOperationException($"A token issued by the provider reached {where}.");
                }
            }
        }
    }

    /// <summary>Finds JOSE-shaped strings in <paramref name="texts"/> and fails if any is one of <paramref name="tokens"/>.</summary>
    public static void AssertNoneIn(IEnumerable<string> texts, IReadOnlyCollection<string> tokens, string where)
    {
        var issued = tokens.SelectMany(t => new[] { t, t.Split('.')[^1] }).Where(t => t.Length >= 20).ToHashSet(StringComparer.Ordinal);
        foreach (var text in texts)
        {
            foreach (Match match in JoseShape().Matches(text))
            {
                if (issued.Contains(match.Value) || match.Value.Split('.').Any(issued.Contains))
                {
                    throw new InvalidOperationException($"A token issued by the provider is stored in clear in {where}.");
                }
            }
        }
    }

    [GeneratedRegex(@"eyJ[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]*){2,4}")]
    private static partial Regex JoseShape();

    [GeneratedRegex(@"[A-Za-z0-9_-]{20,}")]
    private static partial Regex SecretShape();
}
