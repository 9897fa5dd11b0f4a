using System.Globalization;
using StackExchange.Redis;

namespace Bff.Tests.Infrastructure;

/// <summary>
/// Commands served by a Redis deployment, by name, summed over its primaries (<c>INFO commandstats</c>): what the
/// benchmarks divide by requests or refreshes to count Redis operations per unit of work.
/// </summary>
public static class RedisCommandCounts
{
    public static async Task<IReadOnlyDictionary<string, long>> ReadAsync(IConnectionMultiplexer connection)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var server in connection.GetServers().Where(s => s.IsConnected && !s.IsReplica))
        {
            foreach (var entry in (await server.InfoAsync("commandstats")).SelectMany(group => group))
            {
                // cmdstat_hmget: calls=12,usec=...
                var calls = entry.Value.Split(',').FirstOrDefault(part => part.StartsWith("calls=", StringComparison.Ordinal));
                if (entry.Key.StartsWith("cmdstat_", StringComparison.Ordinal) && calls is not null)
                {
                    var name = entry.Key["cmdstat_".Length..];
                    counts[name] = counts.GetValueOrDefault(name) + long.Parse(calls["calls=".Length..], CultureInfo.InvariantCulture);
                }
            }
        }

        return counts;
    }

    /// <summary>Commands per unit between two readings, most frequent first, e.g. "hmget 0.10, evalsha 0.02 (0.12 in all)".</summary>
    public static string PerUnit(IReadOnlyDictionary<string, long> before, IReadOnlyDictionary<string, long> after, long units, params string[] ignored)
    {
        var perUnit = after
            .Where(pair => !ignored.Contains(pair.Key))
            .Select(pair => (Name: pair.Key, Count: (double)(pair.Value - before.GetValueOrDefault(pair.Key)) / Math.Max(1, units)))
            .Where(pair => pair.Count >= 0.0005)
            .OrderByDescending(pair => pair.Count)
            .ToArray();
        return $"{string.Join(", ", perUnit.Select(p => $"{p.Name} {p.Count:F3}"))} ({perUnit.Sum(p => p.Count):F3} in all)";
    }
}
