using System.Net.Http.Headers;
using Microsoft.Net.Http.Headers;
using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace Bff.Proxy;

/// <summary>
/// Validates every route's BFF metadata when YARP loads its configuration (a bad value stops start-up or a
/// reload), and on every route strips the browser's Cookie and Authorization headers, then attaches the
/// access token <see cref="BffProxyMiddleware"/> obtained (DESIGN invariant 6). An upstream 401 to a
/// replayable request is held back for one retry (<see cref="UpstreamRetry"/>).
/// </summary>
internal sealed class AccessTokenTransformProvider : ITransformProvider
{
    public void ValidateRoute(TransformRouteValidationContext context)
    {
        if (!BffRoutePolicy.TryParse(context.Route, out _, out var error))
        {
            context.Errors.Add(new InvalidOperationException(error));
        }
    }

    public void ValidateCluster(TransformClusterValidationContext context)
    {
    }

    public void Apply(TransformBuilderContext context)
    {
        context.AddRequestHeaderRemove(HeaderNames.Cookie);
        context.AddRequestHeaderRemove(HeaderNames.Authorization);
        context.AddRequestTransform(static transformContext =>
        {
            if (transformContext.HttpContext.Features.Get<UpstreamAccessToken>() is { } token)
            {
                transformContext.ProxyRequest.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.Value);
            }

            return ValueTask.CompletedTask;
        });
        context.AddResponseTransform(static transformContext =>
        {
            if (transformContext.ProxyResponse?.StatusCode == System.Net.HttpStatusCode.Unauthorized
                && transformContext.HttpContext.Features.Get<UpstreamRetry>() is { Armed: true } retry)
            {
                retry.Armed = false;
                retry.Requested = true;
                transformContext.SuppressResponseBody = true;
            }

            return ValueTask.CompletedTask;
        });
    }
}
