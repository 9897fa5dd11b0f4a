using Bff.Diagnostics;

namespace Bff.Sessions;

/// <summary>
/// Slides sessions' idle ends without holding up the requests that used them. A touch only moves the end later
/// and nothing on the request path reads it back, so it is written in the background, at most
/// <see cref="MaxInFlight"/> at a time: beyond that (Redis slow or away) it is skipped, and the session's next
/// request makes it. With many sessions most requests are a session's first in a minute: an awaited touch put a
/// Redis round trip on nearly every one of them.
/// </summary>
internal sealed class IdleTouches(ISessionStore store, ILogger<IdleTouches> logger)
{
    private const int MaxInFlight = 256;

    private int _inFlight;

    /// <summary>Starts the touch unless too many are in flight; false when it was skipped.</summary>
    public bool TryStart(SessionKey key, DateTimeOffset lastActiveAt)
    {
        if (Interlocked.Increment(ref _inFlight) > MaxInFlight)
        {
            Interlocked.Decrement(ref _inFlight);
            return false;
        }

        _ = TouchAsync(key, lastActiveAt);
        return true;
    }

    private async Task TouchAsync(SessionKey key, DateTimeOffset lastActiveAt)
    {
        try
        {
            await store.TouchAsync(key, lastActiveAt, CancellationToken.None);
        }
        catch (Exception exception)
        {
            Log.TouchFailed(logger, key.Hash, exception.GetType().Name);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }
}
