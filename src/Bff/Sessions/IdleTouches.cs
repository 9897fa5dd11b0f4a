using System.Threading.Channels;
using Bff.Diagnostics;

namespace Bff.Sessions;

/// <summary>
/// Slides sessions' idle ends without holding up the requests that used them, and writes them together. A touch
/// only moves the end later and nothing on the request path reads it back, so it waits here for up to
/// <see cref="Gathering"/> and goes to the store with the others in one batch: with 100,000 active users about
/// 350 touches a second, and Redis, woken once per command, spent 19 us of CPU on one alone against 3 us in a
/// pipeline of 32 (bench/RESULTS.md). At most <see cref="MaxPending"/> wait; beyond that (Redis slow or away) a
/// touch is refused and the session's next request makes it. What waits when the gateway stops is not written:
/// the next instance finds the older activity and touches the session on its next request.
/// </summary>
internal sealed class IdleTouches(ISessionStore store, ILogger<IdleTouches> logger) : BackgroundService
{
    internal const int MaxPending = 4096;
    internal const int MaxBatch = 256;

    /// <summary>
    /// How long the first touch of a batch waits for more: wall time, not the gateway's clock, since it measures
    /// nothing about a session (moments against a touch interval of minutes).
    /// </summary>
    internal static readonly TimeSpan Gathering = TimeSpan.FromMilliseconds(20);

    private readonly Channel<SessionTouch> _pending = Channel.CreateBounded<SessionTouch>(
        new BoundedChannelOptions(MaxPending) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    /// <summary>Queues the touch unless too many wait; false when it was refused.</summary>
    public bool TryStart(SessionKey key, DateTimeOffset lastActiveAt) => _pending.Writer.TryWrite(new SessionTouch(key, lastActiveAt));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<SessionTouch>(MaxBatch);
        while (await _pending.Reader.WaitToReadAsync(stoppingToken))
        {
            await Task.Delay(Gathering, stoppingToken);
            while (batch.Count < MaxBatch && _pending.Reader.TryRead(out var touch))
            {
                batch.Add(touch);
            }

            try
            {
                await store.TouchAsync(batch, CancellationToken.None);
            }
            catch (Exception exception)
            {
                Log.TouchesFailed(logger, batch.Count, exception.GetType().Name);
            }

            batch.Clear();
        }
    }
}
