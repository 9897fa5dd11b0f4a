namespace Bff.Web;

/// <summary>
/// The SPA proves a request is its own by a custom header: a cross-site page cannot set one without a CORS
/// preflight the gateway never grants (draft-ietf-oauth-browser-based-apps §6.1).
/// </summary>
internal static class Antiforgery
{
    public const string HeaderName = "X-CSRF";

    public static bool IsPresent(HttpContext context) =>
        context.Request.Headers.TryGetValue(HeaderName, out var values) && values.Count == 1 && values[0] == "1";
}
