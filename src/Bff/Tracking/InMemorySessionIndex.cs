namespace Bff.Tracking;

/// <summary>The single-instance index: two maps from provider values to session hashes, behind one lock.</summary>
internal sealed class InMemorySessionIndex : ISessionIndex
{
    private readonly Dictionary<string, HashSet<string>> _bySubject = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> _bySid = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public Task AddAsync(string sessionHash, ProviderIdentity identity, DateTimeOffset expiresAt)
    {
        lock (_gate)
        {
            Add(_bySubject, identity.Subject, sessionHash);
            Add(_bySid, identity.SessionId, sessionHash);
        }

        return Task.CompletedTask;
    }

    public Task RemoveAsync(string sessionHash, ProviderIdentity identity)
    {
        lock (_gate)
        {
            Remove(_bySubject, identity.Subject, sessionHash);
            Remove(_bySid, identity.SessionId, sessionHash);
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyCollection<string>> FindAsync(string? subject, string? sid)
    {
        lock (_gate)
        {
            var (map, value) = sid is not null ? (_bySid, sid) : (_bySubject, subject);
            IReadOnlyCollection<string> found = value is not null && map.TryGetValue(value, out var hashes) ? [.. hashes] : [];
            return Task.FromResult(found);
        }
    }

    private static void Add(Dictionary<string, HashSet<string>> map, string? value, string sessionHash)
    {
        if (value is null)
        {
            return;
        }

        if (!map.TryGetValue(value, out var hashes))
        {
            map[value] = hashes = new HashSet<string>(StringComparer.Ordinal);
        }

        hashes.Add(sessionHash);
    }

    private static void Remove(Dictionary<string, HashSet<string>> map, string? value, string sessionHash)
    {
        if (value is not null && map.TryGetValue(value, out var hashes) && hashes.Remove(sessionHash) && hashes.Count == 0)
        {
            map.Remove(value);
        }
    }
}
