namespace Bff.Tracking;

/// <summary>Remembers one-time values (a logout token's <c>jti</c>) until they expire, fleet-wide in Redis mode.</summary>
internal interface IReplayGuard
{
    /// <summary>True the first time <paramref name="value"/> is seen before <paramref name="expiresAt"/>; false for a replay.</summary>
    Task<bool> TryUseAsync(string value, DateTimeOffset expiresAt);
}
