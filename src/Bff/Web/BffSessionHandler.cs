using System.Globalization;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Bff.Configuration;
using Bff.Diagnostics;
using Bff.Sessions;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Bff.Web;

/// <summary>
/// The authentication scheme behind the session cookie. The OpenID Connect handler signs in through it after
/// the code exchange: the tokens go to the session store, the browser gets only a fresh random session id
/// (a new one at every sign-in, so a planted cookie cannot fix the session).
/// </summary>
internal sealed class BffSessionHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> schemeOptions,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    ISessionStore store,
    SessionCookie cookie,
    SessionResolver resolver,
    IOptions<BffOptions> bffOptions,
    TimeProvider time) : SignInAuthenticationHandler<AuthenticationSchemeOptions>(schemeOptions, loggerFactory, encoder)
{
    public const string SchemeName = "BffSession";

    /// <summary>
    /// Authentication property the OpenID Connect handler's events fill (Hosting/OidcHandlerSetup.cs): when
    /// the first access token expires, counted from when the code was redeemed (<see cref="TokenLifetime"/>).
    /// </summary>
    public const string AccessTokenExpiresAtItem = ".bff.access_token_expires_at";

    // Protocol claims that say nothing about the user.
    private static readonly HashSet<string> ProtocolClaims = ["nonce", "at_hash", "c_hash", "iat", "nbf", "exp", "aud", "azp", "oi_au_id", "oi_tkn_id"];

    private readonly BffSessionOptions _session = bffOptions.Value.Session;

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var lookup = await resolver.LookupAsync(Context);
        if (lookup.Session is not { } session)
        {
            return AuthenticateResult.NoResult();
        }

        var identity = new ClaimsIdentity(session.Record.Claims.Select(c => new Claim(c.Type, c.Value)), SchemeName, "name", "role");
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override async Task HandleSignInAsync(ClaimsPrincipal user, AuthenticationProperties? properties)
    {
        var accessToken = properties?.GetTokenValue("access_token")
            ?? throw new InvalidOperationException("The provider returned no access token; check the client's scopes and grant types.");
        if (!BearerAuthorization.IsHeaderSafe(accessToken))
        {
            throw new InvalidOperationException("The provider returned an access token that is not visible ASCII, which no Authorization header can carry.");
        }

        var now = time.GetUtcNow();
        var expiresAt = properties.Items.TryGetValue(AccessTokenExpiresAtItem, out var countedText)
            && DateTimeOffset.TryParse(countedText, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var counted)
            ? counted
            : TokenLifetime.ExpiresAt(accessToken, DateTimeOffset.TryParse(properties.GetTokenValue("expires_at"), CultureInfo.InvariantCulture, DateTimeStyles.None, out var stated) ? stated : null, now);

        if (cookie.TryRead(Context, out var previous, out _))
        {
            await store.RemoveAsync(previous, Context.RequestAborted);
        }

        var key = SessionKey.CreateNew();
        var record = new SessionRecord
        {
            Version = 1,
            Tokens = new TokenSet(accessToken, properties.GetTokenValue("refresh_token"), properties.GetTokenValue("id_token"), expiresAt),
            Claims = user.Claims.Where(c => !ProtocolClaims.Contains(c.Type)).Select(c => new SessionClaim(c.Type, c.Value)).ToArray(),
            CreatedAt = now,
            LastActiveAt = now,
            AbsoluteExpiresAt = now + _session.AbsoluteTimeout,
            LogoutId = SessionKey.CreateNew().Hash[..16],
        };
        await store.CreateAsync(key, record, Context.RequestAborted);
        cookie.Write(Context, key, record.AbsoluteExpiresAt);
        Log.SessionCreated(Logger, key.Hash);
        if (record.Tokens.RefreshToken is null)
        {
            Log.SignInWithoutRefreshToken(Logger, key.Hash);
        }
    }

    protected override async Task HandleSignOutAsync(AuthenticationProperties? properties)
    {
        if ((await resolver.LookupAsync(Context)).Session is { } session)
        {
            await store.RemoveAsync(session.Key, Context.RequestAborted);
            Log.SessionEnded(Logger, session.Key.Hash, "signed out");
        }

        cookie.Delete(Context);
        SessionResolver.Forget(Context, SessionLookup.Ended);
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        ProblemResponse.WriteAsync(Context, BffError.NotAuthenticated);
}
