using Bff.Configuration;
using Bff.Sessions;
using Bff.Web;
using Microsoft.Extensions.Options;

namespace Bff.Endpoints;

/// <summary><c>GET /bff/user</c> with <c>X-CSRF: 1</c>: the user's claims and the session's expiries. Never a token.</summary>
internal static class UserEndpoint
{
    public static async Task<IResult> HandleAsync(HttpContext context, SessionResolver sessions, SessionCookie cookie, IOptions<BffOptions> options)
    {
        if (!Antiforgery.IsPresent(context))
        {
            return Problem(BffError.Csrf);
        }

        if (await sessions.TryLookupAsync(context) is not { } lookup)
        {
            return Problem(BffError.RefreshUnavailable);
        }

        if (lookup.Session is not { } session)
        {
            if (lookup.Status == SessionLookupStatus.Ended)
            {
                // The session is gone (ended, expired, forged id): drop the stale cookie as well.
                cookie.Delete(context);
                return Problem(BffError.SessionEnded);
            }

            return Problem(BffError.NotAuthenticated);
        }

        var record = session.Record;
        var idleTimeout = options.Value.Session.IdleTimeout;
        context.Response.Headers.CacheControl = "no-store";
        return Results.Json(new UserInfo(
            record.Claims.Select(c => new UserClaim(c.Type, c.Value)).ToArray(),
            new SessionInfo(
                ExpiresAt: record.ExpiresAt(idleTimeout),
                IdleExpiresAt: record.IdleExpiresAt(idleTimeout),
                AbsoluteExpiresAt: record.AbsoluteExpiresAt,
                AccessTokenExpiresAt: record.Tokens.AccessTokenExpiresAt,
                LogoutUrl: $"{context.Request.PathBase}/bff/logout?sid={Uri.EscapeDataString(record.LogoutId)}")));
    }

    private static IResult Problem(BffError error) => new ProblemResult(error);

    private sealed record UserClaim(string Type, string Value);

    private sealed record SessionInfo(
        DateTimeOffset ExpiresAt,
        DateTimeOffset IdleExpiresAt,
        DateTimeOffset AbsoluteExpiresAt,
        DateTimeOffset AccessTokenExpiresAt,
        string LogoutUrl);

    private sealed record UserInfo(IReadOnlyList<UserClaim> Claims, SessionInfo Session);
}
