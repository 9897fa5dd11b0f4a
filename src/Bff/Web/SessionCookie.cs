using System.Collections.Concurrent;
using Bff.Configuration;
using Bff.Sessions;
using Microsoft.Extensions.Options;

namespace Bff.Web;

/// <summary>Reads and writes the one cookie the browser holds: the opaque session id, nothing else.</summary>
internal sealed class SessionCookie(IOptions<BffOptions> options)
{
    private readonly BffCookieOptions _cookie = options.Value.Cookie;
    // Twice the session cache: a working set that fills the cache must not empty this at every turn (100,000
    // sessions against a bound of 100,000 did, re-growing the dictionary through the large object heap).
    private readonly int _recentCapacity = (int)Math.Min(int.MaxValue, 2L * options.Value.Session.CacheSize);

    /// <summary>
    /// Keys of recently read cookies: a browser sends the same id on every request, and hashing it (SHA-256) cost
    /// more than the rest of the session lookup on a cached session. Only ids that parsed are kept; bounded by
    /// twice <c>Bff:Session:CacheSize</c> and emptied when full, so unknown ids cost one hash each, as before.
    /// </summary>
    private readonly ConcurrentDictionary<string, SessionKey> _recentKeys = new(StringComparer.Ordinal);

    /// <summary>Approximately <c>_recentKeys.Count</c>, which would take every lock of the dictionary.</summary>
    private int _recentCount;

    public string Name => _cookie.Name;

    public bool TryRead(HttpContext context, out SessionKey key, out bool present)
    {
        var value = context.Request.Cookies[_cookie.Name];
        present = value is not null;
        if (value is null)
        {
            key = default;
            return false;
        }

        if (_recentKeys.TryGetValue(value, out key))
        {
            return true;
        }

        if (!SessionKey.TryParse(value, out key))
        {
            return false;
        }

        Remember(value, key);
        return true;
    }

    public void Write(HttpContext context, SessionKey key, DateTimeOffset expires) =>
        context.Response.Cookies.Append(_cookie.Name, key.Id, Attributes(expires));

    public void Delete(HttpContext context) =>
        context.Response.Cookies.Delete(_cookie.Name, Attributes(expires: null));

    private void Remember(string cookieValue, SessionKey key)
    {
        if (_recentCapacity <= 0)
        {
            return;
        }

        if (Volatile.Read(ref _recentCount) >= _recentCapacity)
        {
            _recentKeys.Clear();
            Volatile.Write(ref _recentCount, 0);
        }

        if (_recentKeys.TryAdd(cookieValue, key))
        {
            Interlocked.Increment(ref _recentCount);
        }
    }

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
