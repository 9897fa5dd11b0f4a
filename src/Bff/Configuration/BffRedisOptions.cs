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

    /// <summary>
    /// Also write each session in the single-field layout of releases before the request view was stored apart
    /// (field <c>d</c>), so that instances of such a release, still running during a rolling upgrade, read the
    /// sessions this one writes instead of taking them for ended. Set it for the upgrade, turn it off once every
    /// instance runs this release (it costs about 5.8 KB more per session in Redis). See the README, "Upgrading".
    /// </summary>
    public bool WriteEarlierLayout { get; set; }

    public bool Enabled => !string.IsNullOrWhiteSpace(Configuration);
}
