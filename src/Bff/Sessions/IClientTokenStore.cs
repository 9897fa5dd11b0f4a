namespace Bff.Sessions;

/// <summary>
/// The gateway's own access tokens (client credentials), one per target, shared by every instance: in Redis
/// (encrypted, like sessions) for a fleet, in memory for one instance.
/// </summary>
internal interface IClientTokenStore
{
    /// <summary>The stored token for target <paramref name="targetId"/>, or null.</summary>
    Task<TargetToken?> GetAsync(string targetId);

    /// <summary>Stores <paramref name="token"/> until it expires.</summary>
    Task SetAsync(string targetId, TargetToken token);
}
