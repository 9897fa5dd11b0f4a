using System.Buffers;
using Microsoft.AspNetCore.Http.Features;

namespace Bff.Proxy;

/// <summary>
/// Refuses request targets that could leave the route's prefix once an upstream decodes them: encoded
/// slashes, backslashes or dots (<c>/api/..%2fadmin</c>, <c>/api/%2e%2e/admin</c>) and raw backslashes.
/// Kestrel already resolves literal dot segments before routing; encoded ones it leaves for the upstream.
/// </summary>
internal static class SafePath
{
    private static readonly SearchValues<string> Forbidden = SearchValues.Create(["%2f", "%5c", "%2e", "\\"], StringComparison.OrdinalIgnoreCase);

    public static bool IsSafe(HttpContext context)
    {
        var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path.Value ?? "";
        var path = target.AsSpan();
        var query = path.IndexOf('?');
        if (query >= 0)
        {
            path = path[..query];
        }

        return !path.ContainsAny(Forbidden);
    }
}
