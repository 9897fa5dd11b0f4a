using Bff.Configuration;
using Bff.Diagnostics;
using Bff.Sessions;
using Bff.Tokens;
using Bff.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.Options;

namespace Bff.Endpoints;

/// <summary>
/// <c>GET /bff/logout?sid=…</c> (the sid from <c>/bff/user</c>, so a cross-site link cannot log the user out)
/// or <c>POST /bff/logout</c> with <c>X-CSRF: 1</c>: revokes the refresh token at the provider, ends the
/// session, then signs out at the provider when it has an end-session endpoint.
/// </summary>
internal static class LogoutEndpoint
{
    public static async Task HandleAsync(
        HttpContext context,
        SessionResolver sessions,
        ISessionStore store,
        SessionCookie cookie,
        ITokenEndpointClient tokenEndpoint,
        ProviderMetadata provider,
        IOptions<BffOptions> options,
        ILoggerFactory loggerFactory)
    {
        var logger = loggerFactory.CreateLogger(typeof(LogoutEndpoint));
        var returnUrl = context.Request.Query["returnUrl"].ToString() is { Length: > 0 } requested ? requested : "/";
        var isPost = HttpMethods.IsPost(context.Request.Method);
        if (isPost && !Antiforgery.IsPresent(context))
        {
            await ProblemResponse.WriteAsync(context, BffError.Csrf);
            return;
        }

        if (!LocalReturnUrl.IsLocal(returnUrl))
        {
            await ProblemResponse.WriteAsync(context, BffError.InvalidReturnUrl);
            return;
        }

        if (await sessions.TryLookupAsync(context) is not { } lookup)
        {
            await ProblemResponse.WriteAsync(context, BffError.RefreshUnavailable);
            return;
        }

        if (lookup.Session is { } session)
        {
            if (!isPost && context.Request.Query["sid"] != session.Record.LogoutId)
            {
                await ProblemResponse.WriteAsync(context, BffError.InvalidLogoutRequest);
                return;
            }

            // The request path's view of a session carries no refresh token (Sessions/SessionCache.cs), and the
            // token to revoke is the current one: read it from the store.
            if ((await store.GetAsync(session.Key, CancellationToken.None))?.Tokens.RefreshToken is { } refreshToken)
            {
                using var timeout = new CancellationTokenSource(options.Value.Tokens.IdpTimeout);
                try
                {
                    await tokenEndpoint.RevokeAsync(refreshToken, timeout.Token);
                }
                catch (OperationCanceledException)
                {
                    Log.RevocationFailed(logger, "timeout");
                }
            }

            await store.RemoveAsync(session.Key, CancellationToken.None);
            Log.SessionEnded(logger, session.Key.Hash, "logout");
        }

        cookie.Delete(context);
        SessionResolver.Forget(context, SessionLookup.Ended);

        // returnUrl is the SPA's path; under a path base the browser goes back to it there.
        var back = context.Request.PathBase + returnUrl;
        if (lookup.Session is not null && await HasEndSessionEndpointAsync(provider, context.RequestAborted))
        {
            await context.SignOutAsync(OpenIdConnectDefaults.AuthenticationScheme, new AuthenticationProperties { RedirectUri = back });
            return;
        }

        context.Response.Redirect(back);
    }

    private static async Task<bool> HasEndSessionEndpointAsync(ProviderMetadata provider, CancellationToken cancellationToken) =>
        !string.IsNullOrEmpty((await provider.TryGetAsync(cancellationToken))?.EndSessionEndpoint);
}
