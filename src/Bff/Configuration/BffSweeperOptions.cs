namespace Bff.Configuration;

/// <summary><c>Bff:Sweeper</c>: background refresh ahead of expiry.</summary>
public sealed class BffSweeperOptions
{
    public bool Enabled { get; set; } = true;
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(5);
    public int MaxConcurrency { get; set; } = 16;
}
