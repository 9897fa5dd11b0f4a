using Bff.Sessions;
using StackExchange.Redis;

namespace Bff.Sweeping;

/// <summary>
/// The fleet's schedule: one Redis sorted set, score = due time in Unix milliseconds. Claims are one Lua
/// script, so two instances never take the same session in the same round.
/// </summary>
internal sealed class RedisRefreshSchedule(IConnectionMultiplexer redis, RedisKeys keys) : IRefreshSchedule
{
    private static readonly LuaScript Claim = LuaScript.Prepare("""
        local due = redis.call('ZRANGEBYSCORE', @key, '-inf', @now, 'LIMIT', 0, @max)
        for _, member in ipairs(due) do
            redis.call('ZADD', @key, @until, member)
        end
        return due
        """);

    public Task ScheduleAsync(string sessionHash, DateTimeOffset dueAt) =>
        redis.GetDatabase().SortedSetAddAsync(keys.RefreshSchedule, sessionHash, dueAt.ToUnixTimeMilliseconds());

    public Task UnscheduleAsync(string sessionHash) =>
        redis.GetDatabase().SortedSetRemoveAsync(keys.RefreshSchedule, sessionHash);

    public async Task<IReadOnlyList<string>> ClaimDueAsync(DateTimeOffset now, int max, TimeSpan claimFor)
    {
        var claimed = (RedisResult[]?)await redis.GetDatabase().ScriptEvaluateAsync(Claim, new
        {
            key = keys.RefreshSchedule,
            now = now.ToUnixTimeMilliseconds(),
            max,
            until = (now + claimFor).ToUnixTimeMilliseconds(),
        });
        return claimed?.Select(member => (string)member!).ToArray() ?? [];
    }

    public async Task<(long Due, DateTimeOffset? Oldest)> MeasureAsync(DateTimeOffset now)
    {
        var database = redis.GetDatabase();
        var due = await database.SortedSetLengthAsync(keys.RefreshSchedule, double.NegativeInfinity, now.ToUnixTimeMilliseconds());
        if (due == 0)
        {
            return (0, null);
        }

        var oldest = await database.SortedSetRangeByRankWithScoresAsync(keys.RefreshSchedule, 0, 0);
        return (due, oldest.Length == 0 ? null : DateTimeOffset.FromUnixTimeMilliseconds((long)oldest[0].Score));
    }
}
