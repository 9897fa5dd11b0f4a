using Bff.Configuration;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Bff.Web;

/// <summary>
/// A browser cannot put <c>X-CSRF: 1</c> on a WebSocket handshake or an <c>EventSource</c> request, but it tells
/// where they come from in headers a page cannot forge: <c>Origin</c> (always on a WebSocket handshake and on a
/// cross-origin request) and <c>Sec-Fetch-Site</c>. Such a stream request on a user route is the SPA's own when
/// its origin is the gateway's (as the browser sees it, behind trusted proxies) or one of
/// <c>Bff:AllowedOrigins</c>, and <c>Sec-Fetch-Site</c>, when sent for the gateway's own origin, says
/// <c>same-origin</c>; or, without <c>Origin</c> (a same-origin <c>EventSource</c> carries none), when
/// <c>Sec-Fetch-Site</c> says <c>same-origin</c>. A page on another port of the same host is same-site, so
/// <c>SameSite=Strict</c> sends it the user's cookie: only this check stops it (cross-site WebSocket hijacking).
/// </summary>
internal sealed class StreamOrigins(IOptions<BffOptions> options)
{
    private readonly HashSet<string> _allowed = new(options.Value.AllowedOrigins.Select(Normalize), StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// A WebSocket handshake (an HTTP/1.1 upgrade, or HTTP/2's extended CONNECT) or an event-stream GET. Read from
    /// the request itself: YARP proxies WebSockets without ASP.NET Core's WebSocket middleware, whose
    /// <c>IsWebSocketRequest</c> would say false.
    /// </summary>
    public static bool IsStream(HttpContext context)
    {
        var request = context.Request;
        if (context.Features.Get<IHttpExtendedConnectFeature>() is { IsExtendedConnect: true, Protocol: var protocol })
        {
            return string.Equals(protocol, "websocket", StringComparison.OrdinalIgnoreCase);
        }

        return HttpMethods.IsGet(request.Method)
            && (request.Headers.Upgrade.ToString().Contains("websocket", StringComparison.OrdinalIgnoreCase)
                || request.Headers.Accept.ToString().Contains("text/event-stream", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Whether the request proves it comes from the SPA: the X-CSRF header, or for a stream its origin.</summary>
    public bool IsFromTheSpa(HttpContext context) => Antiforgery.IsPresent(context) || (IsStream(context) && HasAllowedOrigin(context));

    private bool HasAllowedOrigin(HttpContext context)
    {
        var request = context.Request;
        if (request.Headers[HeaderNames.Origin] is not [{ Length: > 0 } origin])
        {
            return request.Headers["Sec-Fetch-Site"] is [{ } fetchSite] && fetchSite == "same-origin";
        }

        var own = string.Equals(Normalize(origin), Normalize($"{request.Scheme}://{request.Host}"), StringComparison.OrdinalIgnoreCase);
        if (own)
        {
            return request.Headers["Sec-Fetch-Site"] is not [{ } site] || site == "same-origin";
        }

        return _allowed.Contains(Normalize(origin));
    }

    /// <summary>scheme://host:port with the default port made explicit, so both spellings compare equal.</summary>
    internal static string Normalize(string origin) =>
        Uri.TryCreate(origin, UriKind.Absolute, out var uri) ? $"{uri.Scheme}://{uri.Host}:{uri.Port}" : origin;
}
