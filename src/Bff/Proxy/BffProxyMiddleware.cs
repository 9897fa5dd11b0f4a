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
    RejectedTokenReplacements replacements,
    ClientTokenProvider clientTokens,
    StreamOrigins streamOrigins,
    LiveStreams liveStreams,
    IOptions<BffOptions> options,
    ILogger<BffProxyMiddleware> logger)
{
    private readonly BffProxyOptions _proxy = options.Value.Proxy;
    private readonly TimeSpan _idleTimeout = options.Value.Session.IdleTimeout;

    public async Task InvokeAsync(HttpContext context)
    {
        var proxy = context.GetReverseProxyFeature();
        var route = proxy.Route.Config;
        if (!SafePath.IsSafe(context))
        {
            await RejectAsync(context, route.RouteId, BffError.InvalidPath);
            return;
        }

        var policy = BffRoutePolicy.For(route, proxy.Cluster?.Config);
        if (policy.AccessToken == AccessTokenMode.None)
        {
            await next(context);
            return;
        }

        if (policy.AccessToken == AccessTokenMode.Client)
        {
            await ForwardWithClientTokenAsync(context, route.RouteId, policy.Target);
            return;
        }

        // Checked before the store is read: a User route without the header costs nothing.
        if (policy.RequiresAntiforgery(hasSession: false) && !streamOrigins.IsFromTheSpa(context))
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

            if (policy.AccessToken == AccessTokenMode.UserOrClient)
            {
                await ForwardWithClientTokenAsync(context, route.RouteId, policy.Target);
                return;
            }

            await (lookup.Status == SessionLookupStatus.Ended
                ? RejectAsync(context, route.RouteId, AccessTokenResult.Ended)
                : RejectAsync(context, route.RouteId, BffError.NotAuthenticated));
            return;
        }

        if (policy.RequiresAntiforgery(hasSession: true) && !streamOrigins.IsFromTheSpa(context))
        {
            await RejectAsync(context, route.RouteId, BffError.Csrf);
            return;
        }

        var target = policy.Target;
        var token = await coordinator.GetAccessTokenAsync(session.Key, session.Record, target, context.RequestAborted);
        if (token.Status != AccessTokenStatus.Available)
        {
            await RejectAsync(context, route.RouteId, token);
            return;
        }

        if (StreamOrigins.IsStream(context))
        {
            // A WebSocket or event stream lives on after this: it is closed when the session ends (invariant 10).
            using var live = liveStreams.Register(session.Key.Hash, session.Record.ExpiresAt(_idleTimeout), context);
            await ForwardAsync(context, token.Authorization!);
            return;
        }

        var retry = ArmRetry(context, session.Key, target);
        await ForwardAsync(context, token.Authorization!);
        if (retry?.Requested != true)
        {
            return;
        }

        // The API rejected a token we believed valid (revoked, clock skew): replace that token once, replay once.
        context.Response.Clear();
        var refreshed = await coordinator.ReplaceRejectedTokenAsync(session.Key, target, token.AccessToken!, context.RequestAborted);
        if (refreshed.Status != AccessTokenStatus.Available)
        {
            await RejectAsync(context, route.RouteId, refreshed);
            return;
        }

        if (context.Request.Body.CanSeek)
        {
            context.Request.Body.Position = 0;
        }

        await ForwardAsync(context, refreshed.Authorization!);
        // A 401 to the new token too: the token is not the problem (wrong audience, an API bug); back off.
        replacements.Answered(session.Key, target, stillUnauthorized: context.Response.StatusCode == StatusCodes.Status401Unauthorized);
    }

    /// <summary>
    /// The gateway's own token. An upstream 401 to it passes through: no replay (the token is the fleet's, and a
    /// refused one is a configuration matter, not something a second try fixes).
    /// </summary>
    private async Task ForwardWithClientTokenAsync(HttpContext context, string routeId, TokenTarget target)
    {
        var token = await clientTokens.GetAsync(target, context.RequestAborted);
        if (token.Status != AccessTokenStatus.Available)
        {
            await RejectAsync(context, routeId, token);
            return;
        }

        await ForwardAsync(context, token.Authorization!);
    }

    private Task ForwardAsync(HttpContext context, string authorization)
    {
        context.Features.Set(new UpstreamAccessToken(authorization));
        return next(context);
    }

    /// <summary>
    /// Arms the one-time retry when the request can be replayed (no body, or one small enough to buffer) and a
    /// replacement token may still help (<see cref="RejectedTokenReplacements"/>).
    /// </summary>
    private UpstreamRetry? ArmRetry(HttpContext context, SessionKey key, TokenTarget target)
    {
        var request = context.Request;
        var hasBody = request.ContentLength > 0 || (request.ContentLength is null && request.Headers.TransferEncoding.Count > 0);
        if (!_proxy.RetryOnUnauthorized || (hasBody && !(request.ContentLength <= _proxy.MaxReplayBodyBytes))
            || !replacements.MayReplace(key, target))
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
        switch (token.Status)
        {
            case AccessTokenStatus.SessionEnded:
                cookie.Delete(context);
                return RejectAsync(context, routeId, BffError.SessionEnded);
            case AccessTokenStatus.Refused:
                return RejectAsync(context, routeId, BffError.TokenRefused);
            default:
                return RejectAsync(context, routeId, BffError.RefreshUnavailable, token.RetryAfter);
        }
    }

    private Task RejectAsync(HttpContext context, string routeId, BffError error, TimeSpan? retryAfter = null)
    {
        Log.ProxyRejected(logger, routeId, error.Code);
        return ProblemResponse.WriteAsync(context, error, retryAfter);
    }
}
