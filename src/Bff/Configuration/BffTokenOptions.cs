namespace Bff.Configuration;

/// <summary><c>Bff:Tokens</c>: when to refresh, and how long one token-endpoint call may take.</summary>
public sealed class BffTokenOptions
{
    public TimeSpan RefreshBeforeExpiry { get; set; } = TimeSpan.FromMinutes(1);
    public TimeSpan IdpTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public BffRefreshRequestOptions RefreshRequest { get; set; } = new();

    /// <summary>
    /// The refresh lock's lease: the provider call is cancelled at <see cref="IdpTimeout"/>, and the margin
    /// covers storing the answer, so a live holder never loses its lock mid-refresh (DESIGN invariant 4).
    /// </summary>
    public TimeSpan LockLease => IdpTimeout + LeaseMargin;

    /// <summary>How long a request waits for a refresh run elsewhere before answering 503.</summary>
    public TimeSpan MaxWait => LockLease + LeaseMargin;

    /// <summary>
    /// What a graceful shutdown needs at least: a refresh started just before SIGTERM finishes and is stored.
    /// The same bound a request waits for a holder elsewhere (<see cref="MaxWait"/>), here for this instance's own.
    /// </summary>
    public TimeSpan ShutdownTimeout => MaxWait;

    private static readonly TimeSpan LeaseMargin = TimeSpan.FromSeconds(5);
}
