using Bff.Redis;
using Bff.Sessions;

namespace Bff.Tests.Infrastructure;

/// <summary>Plays the part of another gateway instance that holds, or died holding, a session's refresh lock.</summary>
internal static class FleetControl
{
    /// <summary>Takes the session's Redis lock as a foreign owner that never releases it.</summary>
    public static async Task<string> HoldLockAsForeignInstanceAsync(this FleetFixture fleet, BrowserClient browser, TimeSpan lease)
    {
        var hash = browser.SessionHash();
        var keys = fleet.Gateways[0].Services.GetRequiredService<RedisKeys>();
        Assert.True(await fleet.Redis.Connection.GetDatabase().LockTakeAsync(keys.RefreshLock(hash), "dead-instance", lease));
        return hash;
    }

    /// <summary>What Redis does when a dead holder's lease runs out.</summary>
    public static Task LetForeignLeaseLapseAsync(this FleetFixture fleet, string sessionHash) =>
        fleet.Redis.Connection.GetDatabase().KeyDeleteAsync(fleet.Gateways[0].Services.GetRequiredService<RedisKeys>().RefreshLock(sessionHash));

    /// <summary>
    /// Moves the fleet's clock forward a second at a time until <paramref name="pending"/> completes, giving the
    /// gateways a real moment between steps to run the waits that the clock releases. Once
    /// <paramref name="settled"/> holds (e.g. the provider has received the refresh) the clock stops: moving it
    /// on while a real provider call is in flight would time that call out on the gateway's clock.
    /// </summary>
    public static async Task<T> AdvanceClockUntilAsync<T>(this FleetFixture fleet, Task<T> pending, TimeSpan limit, Func<bool>? settled = null)
    {
        for (var advanced = TimeSpan.Zero; !pending.IsCompleted && advanced <= limit; advanced += TimeSpan.FromSeconds(1))
        {
            await Task.WhenAny(pending, Task.Delay(200));
            if (pending.IsCompleted || settled?.Invoke() == true)
            {
                break;
            }

            fleet.Clock.Advance(TimeSpan.FromSeconds(1));
        }

        return await pending.WaitAsync(TimeSpan.FromSeconds(30));
    }
}
