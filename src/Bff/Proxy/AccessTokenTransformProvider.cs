using Bff.Configuration;
using Microsoft.Extensions.Options;
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
internal sealed class AccessTokenTransformProvider(IOptions<BffOptions> options) : ITransformProvider
{
    private readonly bool _targetsSupported = options.Value.Tokens.RefreshRequest.Format != RefreshRequestFormat.Json;

    public void ValidateRoute(TransformRouteValidationContext context)
    {
        if (!BffRoutePolicy.TryParse(context.Route, cluster: null, out var policy, out var error))
        {
            context.Errors.Add(new InvalidOperationException(error));
        }
        else if (!_targetsSupported && (!policy.Target.IsLogin || policy.AccessToken is AccessTokenMode.Client or AccessTokenMode.UserOrClient))
        {
            context.Errors.Add(new InvalidOperationException(JsonFormatHasNoTargets($"ReverseProxy:Routes:{context.Route.RouteId}")));
        }
    }

    public void ValidateCluster(TransformClusterValidationContext context)
    {
        if (!BffRoutePolicy.TryValidateCluster(context.Cluster, out var error))
        {
            context.Errors.Add(new InvalidOperationException(error));
        }
        else if (!_targetsSupported && context.Cluster.Metadata?.Keys.Any(k => k.StartsWith("Bff.AccessToken.", StringComparison.Ordinal)) == true)
        {
            context.Errors.Add(new InvalidOperationException(JsonFormatHasNoTargets($"ReverseProxy:Clusters:{context.Cluster.ClusterId}")));
        }
    }

    private static string JsonFormatHasNoTargets(string where) =>
        $"{where}:Metadata asks for a resource, scope, audience or the gateway's own token, which Bff:Tokens:RefreshRequest:Format Json (GoTrue) cannot request: remove them or use the Form format.";

    public void Apply(TransformBuilderContext context)
    {
        context.AddRequestHeaderRemove(HeaderNames.Cookie);
        context.AddRequestHeaderRemove(HeaderNames.Authorization);
        context.AddRequestTransform(static transformContext =>
        {
            // The session's own string, unparsed and sent as is: a typed header would be formatted into a new one per
            // request. Safe unvalidated: tokens are checked to be visible ASCII where they arrive (BearerAuthorization).
            // Added, not set: the removal above, which runs first, left no Authorization header to add to.
            if (transformContext.HttpContext.Features.Get<UpstreamAccessToken>() is { } token)
            {
                transformContext.ProxyRequest.Headers.TryAddWithoutValidation(HeaderNames.Authorization, token.Authorization);
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
