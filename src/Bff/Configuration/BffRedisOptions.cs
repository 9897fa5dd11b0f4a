namespace Bff.Configuration;

/// <summary><c>Bff:Redis</c>: an empty <see cref="Configuration"/> selects the in-memory, single-instance store.</summary>
public sealed class BffRedisOptions
{
    public string? Configuration { get; set; }
    public string KeyPrefix { get; set; } = "bff:";

    public bool Enabled => !string.IsNullOrWhiteSpace(Configuration);
}
