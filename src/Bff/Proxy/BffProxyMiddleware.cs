using Bff.Diagnostics;
using Bff.Endpoints;
using Bff.Sessions;
using Bff.Tokens;
using Yarp.ReverseProxy.Model;

namespace Bff.Proxy;

/// <summary>
/// YARP pipeline step in front of forwarding: enforces the route's policy (session, X-CSRF) and obtains a
/// fresh access token. Every refusal is problem JSON and nothing is forwarded.
/// </summary>
internal sealed class BffProxyMiddleware(
    RequestDelegate next,
    SessionResolver sessions,
    SessionCookie cookie,
    TokenRefreshCoordinator coordinator,
    ILogger<BffProxyMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var route = context.GetReverseProxyFeature().Route.Config;
        var policy = BffRoutePolicy.For(route);
        if (policy.AccessToken == AccessTokenMode.None)
        {
            await next(context);
            return;
        }

        // Checked before the store is read: a User route without the header costs nothing.
        if (policy.RequiresAntiforgery(hasSession: false) && !Antiforgery.IsPresent(context))
        {
            await RejectAsync(context, route.RouteId, BffError.Csrf);
            return;
        }

        SessionLookup lookup;
        try
        {
            lookup = await sessions.LookupAsync(context);
        }
        catch (SessionStoreUnavailableException)
        {
            await RejectAsync(context, route.RouteId, BffError.RefreshUnavailable);
            return;
        }

        if (lookup.Session is not { } session)
        {
            if (policy.AccessToken == AccessTokenMode.UserOrNone)
            {
                await next(context);
                return;
            }

            await RejectAsync(context, route.RouteId, lookup.Status == SessionLookupStatus.Ended ? BffError.SessionEnded : BffError.NotAuthenticated);
            return;
        }

        if (policy.RequiresAntiforgery(hasSession: true) && !Antiforgery.IsPresent(context))
        {
            await RejectAsync(context, route.RouteId, BffError.Csrf);
            return;
        }

        var token = await coordinator.GetAccessTokenAsync(session.Key, session.Record, context.RequestAborted);
        switch (token.Status)
        {
            case AccessTokenStatus.Available:
                context.Features.Set(new UpstreamAccessToken(token.Session!.Tokens.AccessToken, token.Session.Version));
                await next(context);
                return;

            case AccessTokenStatus.SessionEnded:
                cookie.Delete(context);
                await RejectAsync(context, route.RouteId, BffError.SessionEnded);
                return;

            default:
                await RejectAsync(context, route.RouteId, BffError.RefreshUnavailable);
                return;
        }
    }

    private Task RejectAsync(HttpContext context, string routeId, BffError error)
    {
        Log.ProxyRejected(logger, routeId, error.Code);
        return ProblemResponse.WriteAsync(context, error);
    }
}
