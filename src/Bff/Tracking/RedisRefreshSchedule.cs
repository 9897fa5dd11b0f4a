using Bff.Redis;
using StackExchange.Redis;

namespace Bff.Tracking;

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

    public async Task<ScheduleMeasure> MeasureAsync(DateTimeOffset now)
    {
        var database = redis.GetDatabase();
        var scheduled = database.SortedSetLengthAsync(keys.RefreshSchedule);
        var due = database.SortedSetLengthAsync(keys.RefreshSchedule, double.NegativeInfinity, now.ToUnixTimeMilliseconds());
        var first = database.SortedSetRangeByRankWithScoresAsync(keys.RefreshSchedule, 0, 0);
        await Task.WhenAll(scheduled, due, first);
        var oldest = due.Result > 0 && first.Result.Length > 0
            ? DateTimeOffset.FromUnixTimeMilliseconds((long)first.Result[0].Score)
            : (DateTimeOffset?)null;
        return new ScheduleMeasure(scheduled.Result, due.Result, oldest);
    }
}
