using System.Text.Json.Serialization;

namespace Bff.Sessions;

/// <summary>
/// The provider's tokens for one session: the sign-in access token, the refresh and id tokens, and the access
/// tokens obtained from the same refresh token for other targets (<see cref="Targets"/>). Lives only
/// server-side; never serialised to the browser. The access token is kept as the header value that carries it
/// (<see cref="BearerAuthorization"/>): <see cref="AccessToken"/> is a copy, for the refresh path.
/// </summary>
internal sealed record TokenSet
{
    private static readonly IReadOnlyDictionary<string, TargetToken> NoTargets = new Dictionary<string, TargetToken>(StringComparer.Ordinal);

    private readonly string _authorization;

    /// <exception cref="ArgumentException"><paramref name="accessToken"/> cannot travel in a header (<see cref="BearerAuthorization.IsHeaderSafe"/>).</exception>
    [JsonConstructor]
    public TokenSet(string accessToken, string? refreshToken, string? idToken, DateTimeOffset accessTokenExpiresAt)
        : this(BearerAuthorization.Of(accessToken), accessTokenExpiresAt) => (RefreshToken, IdToken) = (refreshToken, idToken);

    private TokenSet(string authorization, DateTimeOffset accessTokenExpiresAt) => (_authorization, AccessTokenExpiresAt) = (authorization, accessTokenExpiresAt);

    /// <summary>The request path's view of a session from its stored header value (<see cref="BearerAuthorization.OfUtf8"/>): no refresh or id token.</summary>
    public static TokenSet OfAuthorization(string authorization, DateTimeOffset accessTokenExpiresAt) => new(authorization, accessTokenExpiresAt);

    public string AccessToken
    {
        get => BearerAuthorization.TokenOf(_authorization);
        init => _authorization = BearerAuthorization.Of(value);
    }

    /// <summary>The sign-in access token's characters, without a copy.</summary>
    public ReadOnlySpan<char> AccessTokenChars() => BearerAuthorization.TokenSpanOf(_authorization);

    public string? RefreshToken { get; init; }

    public string? IdToken { get; init; }

    public DateTimeOffset AccessTokenExpiresAt { get; init; }

    /// <summary>Access tokens for targets other than the sign-in one, by <see cref="TokenTarget.Id"/>.</summary>
    public IReadOnlyDictionary<string, TargetToken> Targets { get; init; } = NoTargets;

    /// <summary>The earliest expiry among every access token held: when the session next needs the provider.</summary>
    public DateTimeOffset EarliestExpiry
    {
        get
        {
            var earliest = AccessTokenExpiresAt;
            foreach (var token in Targets.Values)
            {
                earliest = token.ExpiresAt < earliest ? token.ExpiresAt : earliest;
            }

            return earliest;
        }
    }

    /// <summary>The <c>Authorization</c> header value for <paramref name="target"/>'s token, if the session holds one: what a proxied request sends.</summary>
    public bool TryGetAuthorization(TokenTarget target, out string authorization, out DateTimeOffset expiresAt)
    {
        if (target.IsLogin)
        {
            (authorization, expiresAt) = (_authorization, AccessTokenExpiresAt);
            return true;
        }

        if (Targets.TryGetValue(target.Id, out var token))
        {
            (authorization, expiresAt) = (token.Authorization, token.ExpiresAt);
            return true;
        }

        (authorization, expiresAt) = ("", default);
        return false;
    }

    /// <summary>The access token for <paramref name="target"/>, or null when the session holds none.</summary>
    public string? AccessTokenFor(TokenTarget target) => TryGetAuthorization(target, out var authorization, out _) ? BearerAuthorization.TokenOf(authorization) : null;

    /// <summary>True when the session holds no token for <paramref name="target"/> or it expires within <paramref name="refreshBeforeExpiry"/>.</summary>
    public bool NeedsRefresh(TokenTarget target, DateTimeOffset now, TimeSpan refreshBeforeExpiry) =>
        !TryGetAuthorization(target, out _, out var expiresAt) || expiresAt - refreshBeforeExpiry <= now;

    public bool IsValid(TokenTarget target, DateTimeOffset now) => TryGetAuthorization(target, out _, out var expiresAt) && expiresAt > now;

    /// <summary>
    /// These tokens after a token response for <paramref name="target"/>: its access token replaced, the refresh and
    /// id tokens replaced when the answer carried new ones (RFC 6749 §6), every other target's token kept.
    /// </summary>
    public TokenSet With(TokenTarget target, string accessToken, DateTimeOffset expiresAt, DateTimeOffset issuedAt, string? refreshToken, string? idToken)
    {
        var refreshed = this with { RefreshToken = refreshToken ?? RefreshToken, IdToken = idToken ?? IdToken };
        if (target.IsLogin)
        {
            return refreshed with { AccessToken = accessToken, AccessTokenExpiresAt = expiresAt };
        }

        var targets = new Dictionary<string, TargetToken>(Targets, StringComparer.Ordinal) { [target.Id] = new(accessToken, expiresAt, issuedAt) };
        return refreshed with { Targets = targets };
    }

    /// <summary>These tokens without the access token of target <paramref name="targetId"/>.</summary>
    public TokenSet Without(string targetId)
    {
        var targets = new Dictionary<string, TargetToken>(Targets, StringComparer.Ordinal);
        targets.Remove(targetId);
        return this with { Targets = targets };
    }

    /// <summary>Equal when every token and expiry is (the targets compared by content, not by dictionary instance).</summary>
    public bool Equals(TokenSet? other) =>
        other is not null
        && _authorization == other._authorization && RefreshToken == other.RefreshToken && IdToken == other.IdToken
        && AccessTokenExpiresAt == other.AccessTokenExpiresAt
        && Targets.Count == other.Targets.Count
        && Targets.All(pair => other.Targets.TryGetValue(pair.Key, out var token) && token == pair.Value);

    public override int GetHashCode() => HashCode.Combine(_authorization, RefreshToken, AccessTokenExpiresAt, Targets.Count);

    /// <summary>Never print tokens.</summary>
    public override string ToString() => $"TokenSet(expires {AccessTokenExpiresAt:O}, {Targets.Count} more)";
}
