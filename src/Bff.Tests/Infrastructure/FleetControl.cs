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

    /// <summary>
    /// Signs in on every instance, makes each instance's provider calls take <paramref name="providerDelay"/>
    /// (real time), moves the clock to the access token's expiry and sends <paramref name="requests"/>
    /// concurrent requests spread over the instances. Reports the responses and the provider calls and refresh
    /// token reuses they caused; the provider delay is reset afterwards.
    /// </summary>
    public static async Task<ExpiryRace> RaceAtExpiryAsync(this FleetFixture fleet, int requests, TimeSpan providerDelay)
    {
        var browsers = await fleet.SignInEverywhereAsync();
        var refreshes = fleet.Provider.TokenLog.RefreshRequests;
        var reuses = fleet.Provider.TokenLog.Reuses;
        fleet.Faults.ForEach(faults => faults.Delay = providerDelay);
        try
        {
            await fleet.MoveClockToExpiryAsync(browsers.Take(1));
            // The fleet's clock stands still, so requests wait for a slow call instead of answering 503 at IdpTimeout.
            var responses = await Task.WhenAll(Enumerable.Range(0, requests).Select(i => browsers[i % browsers.Length].GetAsync("/api/whoami")));
            return new ExpiryRace(browsers, responses, fleet.Provider.TokenLog.RefreshRequests - refreshes, fleet.Provider.TokenLog.Reuses - reuses);
        }
        finally
        {
            fleet.Faults.ForEach(faults => faults.Delay = TimeSpan.Zero);
        }
    }
}

/// <param name="Browsers">One browser per instance, sharing the session.</param>
/// <param name="Responses">What the concurrent requests got.</param>
/// <param name="Refreshes">Provider calls made meanwhile.</param>
/// <param name="Reuses">Spent refresh tokens the provider saw presented again meanwhile.</param>
public sealed record ExpiryRace(BrowserClient[] Browsers, HttpResponseMessage[] Responses, int Refreshes, int Reuses);
