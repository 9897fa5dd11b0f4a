namespace Bff.Tracking;

/// <summary>
/// Finds sessions by the provider's user (<c>sub</c>) or provider session (<c>sid</c>), for OIDC back-channel
/// logout. Entries are hashes of the provider values; they expire with the session's absolute lifetime.
/// </summary>
internal interface ISessionIndex
{
    Task AddAsync(string sessionHash, ProviderIdentity identity, DateTimeOffset expiresAt);

    Task RemoveAsync(string sessionHash, ProviderIdentity identity);

    /// <summary>Sessions matching <paramref name="sid"/> when given, else every session of <paramref name="subject"/>.</summary>
    Task<IReadOnlyCollection<string>> FindAsync(string? subject, string? sid);
}
