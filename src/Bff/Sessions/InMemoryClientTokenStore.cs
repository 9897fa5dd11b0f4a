using System.Collections.Concurrent;

namespace Bff.Sessions;

/// <summary>Client tokens of a single instance.</summary>
internal sealed class InMemoryClientTokenStore : IClientTokenStore
{
    private readonly ConcurrentDictionary<string, TargetToken> _tokens = new(StringComparer.Ordinal);

    public Task<TargetToken?> GetAsync(string targetId) => Task.FromResult(_tokens.GetValueOrDefault(targetId));

    public Task SetAsync(string targetId, TargetToken token)
    {
        _tokens[targetId] = token;
        return Task.CompletedTask;
    }
}
