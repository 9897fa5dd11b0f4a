using Bff.Configuration;
using Bff.Diagnostics;
using Bff.Sessions;
using Bff.Tokens;
using Bff.Web;
using Microsoft.Extensions.Options;
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
    IOptions<BffOptions> options,
    ILogger<BffProxyMiddleware> logger)
{
    private readonly BffProxyOptions _proxy = options.Value.Proxy;

    public async Task InvokeAsync(HttpContext context)
    {
        var route = context.GetReverseProxyFeature().Route.Config;
        if (!SafePath.IsSafe(context))
        {
            await RejectAsync(context, route.RouteId, BffError.InvalidPath);
            return;
        }

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

        if (await sessions.TryLookupAsync(context) is not { } lookup)
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

            await (lookup.Status == SessionLookupStatus.Ended
                ? RejectAsync(context, route.RouteId, AccessTokenResult.Ended)
                : RejectAsync(context, route.RouteId, BffError.NotAuthenticated));
            return;
        }

        if (policy.RequiresAntiforgery(hasSession: true) && !Antiforgery.IsPresent(context))
        {
            await RejectAsync(context, route.RouteId, BffError.Csrf);
            return;
        }

        var token = await coordinator.GetAccessTokenAsync(session.Key, session.Record, context.RequestAborted);
        if (token.Status != AccessTokenStatus.Available)
        {
            await RejectAsync(context, route.RouteId, token);
            return;
        }

        var retry = ArmRetry(context);
        await ForwardAsync(context, token.Session!);
        if (retry?.Requested != true)
        {
            return;
        }

        // The API rejected a token we believed valid (revoked, clock skew): refresh that version once, replay once.
        context.Response.Clear();
        var refreshed = await coordinator.ReplaceRejectedTokenAsync(session.Key, token.Session!.Version, context.RequestAborted);
        if (refreshed.Status != AccessTokenStatus.Available)
        {
            await RejectAsync(context, route.RouteId, refreshed);
            return;
        }

        if (context.Request.Body.CanSeek)
        {
            context.Request.Body.Position = 0;
        }

        await ForwardAsync(context, refreshed.Session!);
    }

    private Task ForwardAsync(HttpContext context, SessionRecord session)
    {
        context.Features.Set(new UpstreamAccessToken(session.Tokens.AccessToken, session.Version));
        return next(context);
    }

    /// <summary>Arms the one-time retry when the request can be replayed: no body, or one small enough to buffer.</summary>
    private UpstreamRetry? ArmRetry(HttpContext context)
    {
        var request = context.Request;
        var hasBody = request.ContentLength > 0 || (request.ContentLength is null && request.Headers.TransferEncoding.Count > 0);
        if (!_proxy.RetryOnUnauthorized || (hasBody && !(request.ContentLength <= _proxy.MaxReplayBodyBytes)))
        {
            return null;
        }

        if (hasBody)
        {
            request.EnableBuffering(bufferThreshold: (int)Math.Min(_proxy.MaxReplayBodyBytes, 64 * 1024), bufferLimit: _proxy.MaxReplayBodyBytes);
        }

        var retry = new UpstreamRetry();
        context.Features.Set(retry);
        return retry;
    }

    private Task RejectAsync(HttpContext context, string routeId, AccessTokenResult token)
    {
        if (token.Status == AccessTokenStatus.SessionEnded)
        {
            cookie.Delete(context);
            return RejectAsync(context, routeId, BffError.SessionEnded);
        }

        return RejectAsync(context, routeId, BffError.RefreshUnavailable);
    }

    private Task RejectAsync(HttpContext context, string routeId, BffError error)
    {
        Log.ProxyRejected(logger, routeId, error.Code);
        return ProblemResponse.WriteAsync(context, error);
    }
}
