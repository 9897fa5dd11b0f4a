using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace Bff.Demo.IdentityProvider;

/// <summary>
/// What the provider saw at its token endpoint: every refresh-token grant, and any refresh token presented
/// more than once (the reuse a strict provider punishes by revoking the grant). Tests and the demo read it.
/// </summary>
public sealed class TokenRequestLog
{
    private readonly ConcurrentDictionary<string, int> _presented = new(StringComparer.Ordinal);
    private int _refreshRequests;
    private int _clientCredentialsRequests;
    private int _refreshSucceeded;
    private int _reuses;
    private int _inFlight;
    private int _maxInFlight;

    private readonly ConcurrentBag<string> _issued = [];

    /// <summary>Every access, refresh and id token the provider has issued, for tests that scan for leaks.</summary>
    public IReadOnlyCollection<string> IssuedTokens => _issued;

    public int RefreshRequests => Volatile.Read(ref _refreshRequests);
    public int ClientCredentialsRequests => Volatile.Read(ref _clientCredentialsRequests);
    public int RefreshSucceeded => Volatile.Read(ref _refreshSucceeded);
    public int Reuses => Volatile.Read(ref _reuses);
    public int MaxConcurrentRefreshes => Volatile.Read(ref _maxInFlight);

    internal void Issued(string token) => _issued.Add(token);

    internal void ClientCredentialsRequested() => Interlocked.Increment(ref _clientCredentialsRequests);

    internal void RefreshStarted(string refreshToken)
    {
        Interlocked.Increment(ref _refreshRequests);
        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(refreshToken)));
        if (_presented.AddOrUpdate(hash, 1, (_, n) => n + 1) > 1)
        {
            Interlocked.Increment(ref _reuses);
        }

        var now = Interlocked.Increment(ref _inFlight);
        int seen;
        while (now > (seen = Volatile.Read(ref _maxInFlight)) && Interlocked.CompareExchange(ref _maxInFlight, now, seen) != seen)
        {
        }
    }

    internal void RefreshFinished(bool succeeded)
    {
        Interlocked.Decrement(ref _inFlight);
        if (succeeded)
        {
            Interlocked.Increment(ref _refreshSucceeded);
        }
    }
}
