namespace Bff.Configuration;

/// <summary><c>Bff:Session</c>: sliding idle and absolute lifetimes of a server-side session.</summary>
public sealed class BffSessionOptions
{
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromHours(8);
    public TimeSpan AbsoluteTimeout { get; set; } = TimeSpan.FromDays(7);
}
