namespace Bff.Tests.Infrastructure;

/// <summary>
/// Waits for a condition that nothing announces (Redis replication, a cache eviction over pub/sub): re-checks
/// it at <c>interval</c> and fails naming <c>what</c> once <c>limit</c> has passed.
/// </summary>
public static class Eventually
{
    public static async Task HoldsAsync(Func<Task<bool>> condition, string what, TimeSpan limit, TimeSpan interval)
    {
        var deadline = DateTime.UtcNow + limit;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            await Task.Delay(interval);
        }
    }

    public static Task HoldsAsync(Func<bool> condition, string what, TimeSpan limit, TimeSpan interval) =>
        HoldsAsync(() => Task.FromResult(condition()), what, limit, interval);
}
