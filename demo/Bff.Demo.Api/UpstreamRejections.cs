namespace Bff.Demo.Api;

/// <summary>
/// Makes the API answer 401 to chosen access tokens (as if revoked, or the clocks disagreed), so tests can
/// exercise the gateway's reaction to an upstream 401 for a token it believed valid.
/// </summary>
public sealed class UpstreamRejections
{
    private readonly HashSet<string> _tokens = [];

    /// <summary>Rejects every token, new ones included.</summary>
    public bool RejectAll { get; set; }

    public void Reject(string accessToken)
    {
        lock (_tokens)
        {
            _tokens.Add(accessToken);
        }
    }

    public bool IsRejected(string authorization)
    {
        if (RejectAll)
        {
            return true;
        }

        lock (_tokens)
        {
            return authorization.StartsWith("Bearer ", StringComparison.Ordinal) && _tokens.Contains(authorization["Bearer ".Length..]);
        }
    }
}
