using Bff.Redis;
using StackExchange.Redis;

namespace Bff.Tracking;

/// <summary>
/// The fleet's schedule: <c>Bff:Redis:ScheduleBuckets</c> Redis sorted sets (score = due time in Unix
/// milliseconds), a session in the one its hash selects. Each bucket has a hash tag of its own, so on a cluster
/// the schedule's writes and sweeps spread over the shards. A claim is one Lua script on one bucket, so two
/// instances never take the same session in the same round; each instance starts its round at a bucket of its
/// own and goes round them all.
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

    private readonly IReadOnlyList<RedisKey> _buckets = keys.RefreshSchedule;
    private int _next = Random.Shared.Next(keys.RefreshSchedule.Count);

    public Task ScheduleAsync(string sessionHash, DateTimeOffset dueAt) =>
        redis.GetDatabase().SortedSetAddAsync(keys.RefreshScheduleOf(sessionHash), sessionHash, dueAt.ToUnixTimeMilliseconds());

    public Task UnscheduleAsync(string sessionHash) =>
        redis.GetDatabase().SortedSetRemoveAsync(keys.RefreshScheduleOf(sessionHash), sessionHash);

    /// <summary>
    /// Claims from the bucket where the last call stopped, moving on while a bucket has fewer due than asked, until
    /// <paramref name="max"/> are claimed or every bucket has been asked once.
    /// </summary>
    public async Task<IReadOnlyList<string>> ClaimDueAsync(DateTimeOffset now, int max, TimeSpan claimFor)
    {
        var database = redis.GetDatabase();
        var claimed = new List<string>();
        for (var asked = 0; asked < _buckets.Count && claimed.Count < max; asked++)
        {
            var bucket = _next;
            var wanted = max - claimed.Count;
            var due = (RedisResult[]?)await database.ScriptEvaluateAsync(Claim, new
            {
                key = _buckets[bucket],
                now = now.ToUnixTimeMilliseconds(),
                max = wanted,
                until = (now + claimFor).ToUnixTimeMilliseconds(),
            }) ?? [];
            claimed.AddRange(due.Select(member => (string)member!));
            if (due.Length < wanted)
            {
                _next = (bucket + 1) % _buckets.Count;
            }
        }

        return claimed;
    }

    public async Task<ScheduleMeasure> MeasureAsync(DateTimeOffset now)
    {
        var measures = await Task.WhenAll(_buckets.Select(bucket => MeasureAsync(redis.GetDatabase(), bucket, now)));
        var due = measures.Sum(m => m.Due);
        return new ScheduleMeasure(measures.Sum(m => m.Scheduled), due, due > 0 ? measures.Min(m => m.Oldest) : null);
    }

    private static async Task<ScheduleMeasure> MeasureAsync(IDatabase database, RedisKey bucket, DateTimeOffset now)
    {
        var scheduled = database.SortedSetLengthAsync(bucket);
        var due = database.SortedSetLengthAsync(bucket, double.NegativeInfinity, now.ToUnixTimeMilliseconds());
        var first = database.SortedSetRangeByRankWithScoresAsync(bucket, 0, 0);
        await Task.WhenAll(scheduled, due, first);
        var oldest = due.Result > 0 && first.Result.Length > 0
            ? DateTimeOffset.FromUnixTimeMilliseconds((long)first.Result[0].Score)
            : (DateTimeOffset?)null;
        return new ScheduleMeasure(scheduled.Result, due.Result, oldest);
    }
}
