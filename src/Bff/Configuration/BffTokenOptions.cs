namespace Bff.Configuration;

/// <summary><c>Bff:Tokens</c>: when to refresh, and how long one token-endpoint call may take.</summary>
public sealed class BffTokenOptions
{
    public TimeSpan RefreshBeforeExpiry { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long a request waits for the provider's answer before it gets 503 (or the still-valid old token).</summary>
    public TimeSpan IdpTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long the refresh holder keeps waiting for the provider's answer, past <see cref="IdpTimeout"/>,
    /// extending its lock meanwhile. A provider that answers late has usually rotated the refresh token
    /// already: storing that answer keeps the session on a provider without a reuse grace window.
    /// </summary>
    public TimeSpan IdpCallLimit { get; set; } = TimeSpan.FromSeconds(30);

    public BffRefreshRequestOptions RefreshRequest { get; set; } = new();

    /// <summary>
    /// After a failed or unhelpful refresh of a session's token, how long before the next attempt (requests
    /// meanwhile get 503 with Retry-After, or the still-valid old token); doubled for each further failure in a
    /// row, up to <see cref="MaxFailureBackoff"/>. The token endpoint's circuit breaker opens for the same times.
    /// </summary>
    public TimeSpan FailureBackoff { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The longest back-off; requests recover at most this long after the provider does.</summary>
    public TimeSpan MaxFailureBackoff { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The refresh lock's lease. The holder renews it while the provider call is in flight (up to
    /// <see cref="IdpCallLimit"/>) and while it stores the answer; a crashed holder's lease lapses by itself
    /// after this long (DESIGN invariant 4).
    /// </summary>
    public TimeSpan LockLease => IdpTimeout + LeaseMargin;

    /// <summary>How long a refresh waits for a holder elsewhere before answering without a new token.</summary>
    public TimeSpan MaxWait => LockLease + LeaseMargin;

    /// <summary>The longest one refresh holds the lock: the provider call up to its limit, then storing the answer.</summary>
    public TimeSpan LongestRefresh => IdpCallLimit + LeaseMargin;

    /// <summary>What a graceful shutdown needs at least: a refresh started just before SIGTERM finishes and is stored.</summary>
    public TimeSpan ShutdownTimeout => LongestRefresh;

    private static readonly TimeSpan LeaseMargin = TimeSpan.FromSeconds(5);
}
