using Bff.Configuration;
using Microsoft.Extensions.Options;

namespace Bff.Sessions;

/// <summary>Reads and writes the one cookie the browser holds: the opaque session id, nothing else.</summary>
internal sealed class SessionCookie(IOptions<BffOptions> options)
{
    private readonly BffCookieOptions _cookie = options.Value.Cookie;

    public string Name => _cookie.Name;

    public bool TryRead(HttpContext context, out SessionKey key, out bool present)
    {
        var value = context.Request.Cookies[_cookie.Name];
        present = value is not null;
        return SessionKey.TryParse(value, out key);
    }

    public void Write(HttpContext context, SessionKey key, DateTimeOffset expires) =>
        context.Response.Cookies.Append(_cookie.Name, key.Id, Attributes(expires));

    public void Delete(HttpContext context) =>
        context.Response.Cookies.Delete(_cookie.Name, Attributes(expires: null));

    // __Host- prefix rules (RFC 6265bis §4.1.3.2): Secure, Path=/, no Domain.
    private Microsoft.AspNetCore.Http.CookieOptions Attributes(DateTimeOffset? expires) => new()
    {
        HttpOnly = true,
        Secure = true,
        Path = "/",
        SameSite = _cookie.SameSite,
        IsEssential = true,
        Expires = expires,
    };
}
