namespace Bff.Configuration;

/// <summary><c>Bff:Redis</c>: an empty <see cref="Configuration"/> selects the in-memory, single-instance store.</summary>
public sealed class BffRedisOptions
{
    public string? Configuration { get; set; }
    public string KeyPrefix { get; set; } = "bff:";

    /// <summary>
    /// How many sorted sets (each under a hash tag of its own, so a cluster spreads them over its shards) hold the
    /// background-refresh schedule. Every instance sweeps them all; every instance must use the same number.
    /// </summary>
    public int ScheduleBuckets { get; set; } = 16;

    public bool Enabled => !string.IsNullOrWhiteSpace(Configuration);
}
