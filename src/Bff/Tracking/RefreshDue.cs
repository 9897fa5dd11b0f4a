using Bff.Configuration;
using Microsoft.Extensions.Options;

namespace Bff.Tracking;

/// <summary>
/// When the sweeper should refresh a session: one sweeper interval before requests would start refreshing it
/// themselves, minus a random jitter (up to a tenth of the token's remaining life, at most 30 s) so a burst of
/// logins does not become a burst of refreshes.
/// </summary>
internal sealed class RefreshDue(IOptions<BffOptions> options, TimeProvider time)
{
    private static readonly TimeSpan MaxJitter = TimeSpan.FromSeconds(30);

    private readonly TimeSpan _lead = options.Value.Tokens.RefreshBeforeExpiry + options.Value.Sweeper.Interval;

    /// <summary>How far ahead of expiry the sweeper may refresh a token: its lead plus the largest jitter.</summary>
    public TimeSpan Window => _lead + MaxJitter;

    public DateTimeOffset For(DateTimeOffset accessTokenExpiresAt)
    {
        var now = time.GetUtcNow();
        var remaining = accessTokenExpiresAt - now;
        var jitterRange = remaining / 10 < MaxJitter ? remaining / 10 : MaxJitter;
        var jitter = jitterRange > TimeSpan.Zero ? TimeSpan.FromTicks(Random.Shared.NextInt64(jitterRange.Ticks)) : TimeSpan.Zero;
        return accessTokenExpiresAt - _lead - jitter;
    }
}
