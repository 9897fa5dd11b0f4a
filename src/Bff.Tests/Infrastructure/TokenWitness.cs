using System.Collections.Concurrent;
using System.Text.RegularExpressions;

namespace Bff.Tests.Infrastructure;

/// <summary>
/// Sees everything that reached a test browser, and remembers every JWT/JWE-shaped string in it (whole and by
/// segment), so that fixtures can check at the end that no token their provider issued ever reached a browser
/// (DESIGN invariant 6), across every test of the suite.
/// </summary>
public static partial class TokenWitness
{
    private static readonly ConcurrentDictionary<string, byte> Seen = new(StringComparer.Ordinal);

    public static void Record(string text)
    {
        foreach (Match match in JoseShape().Matches(text))
        {
            Seen.TryAdd(match.Value, 0);
            foreach (var segment in match.Value.Split('.'))
            {
                if (segment.Length >= 20)
                {
                    Seen.TryAdd(segment, 0);
                }
            }
        }
    }

    /// <summary>Fails if any of <paramref name="tokens"/>, or its signature or ciphertext segment, was seen.</summary>
    public static void AssertNoneSeen(IEnumerable<string> tokens, string where)
    {
        foreach (var token in tokens)
        {
            var last = token.Split('.')[^1];
            if (Seen.ContainsKey(token) || (last.Length >= 20 && Seen.ContainsKey(last)))
            {
                throw new InvalidOperationException($"A token issued by the provider reached {where}.");
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
}
