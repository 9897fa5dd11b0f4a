namespace Bff.Endpoints;

/// <summary>
/// Accepts only a path on this origin as a post-login/logout destination, so the gateway is no open
/// redirector: <c>/app?x=1</c> passes; <c>//evil</c>, <c>/\evil</c>, <c>https://evil</c> and control characters do not.
/// </summary>
internal static class LocalReturnUrl
{
    private const int MaxLength = 2048;

    public static bool IsLocal(string? url) =>
        url is { Length: > 0 and <= MaxLength }
        && url[0] == '/'
        && (url.Length == 1 || (url[1] != '/' && url[1] != '\\'))
        && !url.Contains('\\')
        && !url.Any(char.IsControl);
}
