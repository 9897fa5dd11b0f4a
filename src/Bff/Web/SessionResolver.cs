using Bff.Configuration;
using Bff.Diagnostics;
using Bff.Sessions;
using Microsoft.Extensions.Options;

namespace Bff.Web;

/// <summary>
/// Finds the request's session from its cookie, once per request, and slides its idle timeout (written at
/// most once per <see cref="TouchIntervalFor"/>, not on every request, and in the background: <see cref="IdleTouches"/>). The session it returns may lack the
/// refresh and id tokens (see <see cref="SessionCache"/>): read the store for those.
/// </summary>
internal sealed class SessionResolver(
    ISessionStore store,
    SessionCache cache,
    IdleTouches touches,
    SessionCookie cookie,
    IOptions<BffOptions> options,
    TimeProvider time,
    ILogger<SessionResolver> logger)
{
    private readonly TimeSpan _touchInterval = TouchIntervalFor(options.Value.Session.IdleTimeout);

    /// <summary>
    /// How stale a session's stored activity may get before a request writes it: a hundredth of the idle timeout,
    /// at most five minutes (4.8 at the default 8 hours), so a session ends at most that much before its idle
    /// timeout. A minute, before: 1,667 Redis writes a second for 100,000 active users, now 347.
    /// </summary>
    internal static TimeSpan TouchIntervalFor(TimeSpan idleTimeout) => idleTimeout / 100 < MaxTouchInterval ? idleTimeout / 100 : MaxTouchInterval;

    private static readonly TimeSpan MaxTouchInterval = TimeSpan.FromMinutes(5);

    /// <exception cref="SessionStoreUnavailableException">The store could not be read; the caller answers 503.</exception>
    public async ValueTask<SessionLookup> LookupAsync(HttpContext context)
    {
        if (context.Features.Get<SessionLookup>() is { } memoised)
        {
            return memoised;
        }

        var lookup = await ReadAsync(context);
        context.Features.Set(lookup);
        return lookup;
    }

    /// <summary>Like <see cref="LookupAsync"/>, but null when the store is unavailable; the caller answers 503.</summary>
    public async ValueTask<SessionLookup?> TryLookupAsync(HttpContext context)
    {
        try
        {
            return await LookupAsync(context);
        }
        catch (SessionStoreUnavailableException)
        {
            return null;
        }
    }

    /// <summary>Forgets the memoised lookup, e.g. after the session ended during this request.</summary>
    public static void Forget(HttpContext context, SessionLookup replacement) => context.Features.Set(replacement);

    private async ValueTask<SessionLookup> ReadAsync(HttpContext context)
    {
        if (!cookie.TryRead(context, out var key, out var present))
        {
            return present ? SessionLookup.Ended : SessionLookup.Anonymous;
        }

        SessionRecord? record;
        try
        {
            record = await cache.GetAsync(key, store, context.RequestAborted);
            var now = time.GetUtcNow();
            if (record is not null && now - record.LastActiveAt >= _touchInterval)
            {
                if (touches.TryStart(key, now))
                {
                    record = record with { LastActiveAt = now };
                    cache.Touched(key.Hash, record);
                }
            }
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            Log.SessionUnreadable(logger, key.Hash, exception.GetType().Name);
            throw new SessionStoreUnavailableException(exception);
        }

        return record is null ? SessionLookup.Ended : new SessionLookup(SessionLookupStatus.Found, new ResolvedSession(key, record));
    }
}
