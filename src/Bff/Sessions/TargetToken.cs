using System.Text.Json.Serialization;

namespace Bff.Sessions;

/// <summary>
/// An access token obtained for a <see cref="TokenTarget"/> other than the sign-in one, kept, like the sign-in one,
/// as the header value that carries it (<see cref="BearerAuthorization"/>).
/// </summary>
internal sealed record TargetToken
{
    /// <param name="accessToken">The token.</param>
    /// <param name="expiresAt">When it expires.</param>
    /// <param name="issuedAt">When it was requested: with <paramref name="expiresAt"/>, its lifetime, the window in which a target counts as in use.</param>
    /// <exception cref="ArgumentException"><paramref name="accessToken"/> cannot travel in a header (<see cref="BearerAuthorization.IsHeaderSafe"/>).</exception>
    [JsonConstructor]
    public TargetToken(string accessToken, DateTimeOffset expiresAt, DateTimeOffset issuedAt) =>
        (Authorization, ExpiresAt, IssuedAt) = (BearerAuthorization.Of(accessToken), expiresAt, issuedAt);

    private TargetToken()
    {
    }

    /// <summary>From its stored header value (<see cref="BearerAuthorization.OfUtf8"/>).</summary>
    public static TargetToken OfAuthorization(string authorization, DateTimeOffset expiresAt, DateTimeOffset issuedAt) =>
        new() { Authorization = authorization, ExpiresAt = expiresAt, IssuedAt = issuedAt };

    /// <summary>The token itself, a copy (<see cref="Authorization"/> is what a request sends).</summary>
    public string AccessToken => BearerAuthorization.TokenOf(Authorization);

    /// <summary>The <c>Authorization</c> header value: <c>Bearer</c> and the token.</summary>
    [JsonIgnore]
    public string Authorization { get; private init; } = "";

    public DateTimeOffset ExpiresAt { get; private init; }

    public DateTimeOffset IssuedAt { get; private init; }

    /// <summary>Never print tokens.</summary>
    public override string ToString() => $"TargetToken(expires {ExpiresAt:O})";
}
