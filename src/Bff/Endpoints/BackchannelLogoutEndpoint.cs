using System.Text.Json;
using Bff.Configuration;
using Bff.Diagnostics;
using Bff.Sessions;
using Bff.Tokens;
using Bff.Tracking;
using Bff.Web;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Bff.Endpoints;

/// <summary>
/// <c>POST /bff/backchannel-logout</c> (OpenID Connect Back-Channel Logout 1.0 §2.5-2.8): validates the
/// provider's <c>logout_token</c> and ends the matching sessions. The store is shared, so they end on every
/// instance at once.
/// </summary>
internal static class BackchannelLogoutEndpoint
{
    private const string LogoutEvent = "http://schemas.openid.net/event/backchannel-logout";
    private const int MaxTokenLength = 16 * 1024;
    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);
    private static readonly JsonWebTokenHandler Handler = new();

    public static async Task HandleAsync(
        HttpContext context,
        ProviderMetadata provider,
        ISessionIndex index,
        ISessionStore store,
        IReplayGuard replays,
        IOptions<BffOptions> options,
        TimeProvider time,
        ILoggerFactory loggerFactory)
    {
        var logger = loggerFactory.CreateLogger(typeof(BackchannelLogoutEndpoint));
        context.Response.Headers.CacheControl = "no-store";
        var token = context.Request.HasFormContentType ? (await context.Request.ReadFormAsync()).LogoutToken() : null;
        if (token is null)
        {
            await RefuseAsync(context, logger, "no logout_token");
            return;
        }

        var configuration = await provider.GetAsync(context.RequestAborted);
        var validation = await Handler.ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = configuration.Issuer,
            ValidAudience = options.Value.Oidc.ClientId,
            IssuerSigningKeys = configuration.SigningKeys,
            RequireExpirationTime = false,
            ClockSkew = ClockSkew,
        });
        if (!validation.IsValid || validation.SecurityToken is not JsonWebToken jwt)
        {
            await RefuseAsync(context, logger, $"invalid token ({validation.Exception?.GetType().Name})");
            return;
        }

        if (Problem(jwt) is { } problem)
        {
            await RefuseAsync(context, logger, problem);
            return;
        }

        // §2.6: a logout token is used once. It is remembered until it could no longer validate anyway.
        var usableUntil = (jwt.ValidTo > DateTime.MinValue ? new DateTimeOffset(jwt.ValidTo, TimeSpan.Zero) : time.GetUtcNow()) + ClockSkew;
        if (!await replays.TryUseAsync(jwt.Id, usableUntil))
        {
            await RefuseAsync(context, logger, "replayed jti");
            return;
        }

        jwt.TryGetPayloadValue<string>("sub", out var subject);
        jwt.TryGetPayloadValue<string>("sid", out var sid);
        var sessions = await index.FindAsync(subject, sid);
        foreach (var hash in sessions)
        {
            await store.RemoveAsync(SessionKey.FromHash(hash), CancellationToken.None);
        }

        Log.BackchannelLogout(logger, sessions.Count);
    }

    /// <summary>§2.6: the claims a logout token must and must not carry.</summary>
    private static string? Problem(JsonWebToken jwt)
    {
        if (!jwt.TryGetPayloadValue<JsonElement>("events", out var events) || events.ValueKind != JsonValueKind.Object
            || !events.TryGetProperty(LogoutEvent, out _))
        {
            return "no back-channel logout event";
        }

        if (jwt.TryGetPayloadValue<object>("nonce", out _))
        {
            return "a nonce is present";
        }

        if (!jwt.TryGetPayloadValue<long>("iat", out _))
        {
            return "no iat";
        }

        if (string.IsNullOrEmpty(jwt.Id))
        {
            return "no jti";
        }

        return jwt.TryGetPayloadValue<string>("sub", out _) || jwt.TryGetPayloadValue<string>("sid", out _) ? null : "neither sub nor sid";
    }

    private static string? LogoutToken(this IFormCollection form) =>
        form["logout_token"].ToString() is { Length: > 0 and <= MaxTokenLength } token ? token : null;

    private static Task RefuseAsync(HttpContext context, ILogger logger, string reason)
    {
        Log.BackchannelLogoutRejected(logger, reason);
        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        return context.Response.WriteAsJsonAsync(new { error = "invalid_request" });
    }
}
