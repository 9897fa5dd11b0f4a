namespace Bff.Sessions;

/// <summary>
/// When an access token expires, from what the provider said. <c>expires_in</c> counts from when the provider
/// answered, which the gateway cannot see: counting it from when the request was sent errs on the early side,
/// however long the answer took to arrive and be read. A JWT's own <c>exp</c> wins when it is a little earlier
/// (a provider that counts from the whole second, or rounds down). Much earlier is the provider's clock
/// running behind the gateway's: the API, on the provider's time, accepts the token for its stated lifetime,
/// and taking <c>exp</c> would make every request refresh.
/// </summary>
internal static class TokenLifetime
{
    /// <summary>Used when the provider says nothing usable and the access token is not a readable JWT.</summary>
    public static readonly TimeSpan Fallback = TimeSpan.FromMinutes(5);

    /// <summary>Longer stated lifetimes are treated as garbage.</summary>
    public static readonly TimeSpan Max = TimeSpan.FromDays(1);

    /// <summary>How much earlier than the stated expiry a JWT's <c>exp</c> may be and still be taken (rounding, not clock skew).</summary>
    public static readonly TimeSpan MaxRounding = TimeSpan.FromSeconds(30);

    /// <param name="accessToken">The token, whose <c>exp</c> is read when it is a JWT (not validated; only the time is used).</param>
    /// <param name="stated">The provider's stated expiry (request time + <c>expires_in</c>), if it gave a usable one.</param>
    /// <param name="requestedAt">When the token was requested: an <c>exp</c> before it is clock skew, not information.</param>
    public static DateTimeOffset ExpiresAt(string accessToken, DateTimeOffset? stated, DateTimeOffset requestedAt)
    {
        var exp = JwtExpiry.TryRead(accessToken) is { } read && read > requestedAt && read <= requestedAt + Max ? read : (DateTimeOffset?)null;
        return (stated, exp) switch
        {
            ({ } s, { } e) => e < s && s - e <= MaxRounding ? e : s,
            ({ } s, null) => s,
            (null, { } e) => e,
            _ => requestedAt + Fallback,
        };
    }

    /// <summary>The expiry that <c>expires_in</c> states, counted from <paramref name="requestedAt"/>; null when it is missing, not positive or implausibly long.</summary>
    public static DateTimeOffset? FromExpiresIn(long? seconds, DateTimeOffset requestedAt) =>
        seconds is > 0 && seconds <= Max.TotalSeconds ? requestedAt.AddSeconds(seconds.Value) : null;
}
