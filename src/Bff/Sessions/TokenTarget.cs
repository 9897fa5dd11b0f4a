namespace Bff.Sessions;

/// <summary>
/// Which access token a route needs: the one issued at sign-in (<see cref="Login"/>), or one obtained from the
/// session's refresh token with an RFC 8707 <c>resource</c>, a <c>scope</c> and/or an <c>audience</c> (Auth0).
/// One refresh token serves every target of a session (DESIGN invariant 9).
/// </summary>
internal sealed record TokenTarget
{
    public static readonly TokenTarget Login = new(null, null, null);

    public TokenTarget(string? resource, string? scope, string? audience)
    {
        Resource = string.IsNullOrWhiteSpace(resource) ? null : resource;
        // Scope order carries no meaning (RFC 6749 §3.3): "b a" and "a b" are one target.
        Scope = string.IsNullOrWhiteSpace(scope)
            ? null
            : string.Join(' ', scope.Split(' ', StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal));
        Audience = string.IsNullOrWhiteSpace(audience) ? null : audience;
        Id = IsLogin ? "" : $"{Resource}\u001f{Scope}\u001f{Audience}";
    }

    public string? Resource { get; }

    public string? Scope { get; }

    public string? Audience { get; }

    /// <summary>The target whose <see cref="Id"/> this is (as stored with a session's tokens).</summary>
    public static TokenTarget FromId(string id)
    {
        var parts = id.Split('\u001f');
        return parts.Length == 3 ? new TokenTarget(parts[0], parts[1], parts[2]) : Login;
    }

    public bool IsLogin => Resource is null && Scope is null && Audience is null;

    /// <summary>The target's key among a session's tokens: empty for the sign-in token. Names an API, never holds a secret.</summary>
    public string Id { get; }

    /// <summary>What logs and problem responses may show.</summary>
    public override string ToString() => IsLogin ? "the sign-in token" : $"resource={Resource} scope={Scope} audience={Audience}";
}
