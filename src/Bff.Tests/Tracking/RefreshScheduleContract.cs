using Bff.Tracking;

namespace Bff.Tests.Tracking;

/// <summary>
/// What every <see cref="IRefreshSchedule"/> must do: in process, on one Redis, and on a cluster, where it is
/// spread over hash-tagged buckets. Two "instances" share one schedule as two gateways share Redis.
/// </summary>
public abstract class RefreshScheduleContract
{
    protected static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;
    private static readonly TimeSpan ClaimFor = TimeSpan.FromMinutes(1);

    /// <summary>One instance's view of the schedule, fresh for each test.</summary>
    private protected abstract IRefreshSchedule Schedule { get; }

    /// <summary>Another instance's view of the same schedule.</summary>
    private protected abstract IRefreshSchedule OtherInstance { get; }

    [Fact]
    public async Task due_sessions_are_claimed_once_until_the_claim_lapses_and_later_ones_wait()
    {
        var due = Hashes(3);
        foreach (var hash in due)
        {
            await Schedule.ScheduleAsync(hash, Now - TimeSpan.FromSeconds(1));
        }

        var later = Hashes(1)[0];
        await Schedule.ScheduleAsync(later, Now + TimeSpan.FromHours(1));

        Assert.Equal(due.Order(), (await Schedule.ClaimDueAsync(Now, 10, ClaimFor)).Order());
        Assert.Empty(await OtherInstance.ClaimDueAsync(Now, 10, ClaimFor));
        Assert.Equal(due.Order(), (await OtherInstance.ClaimDueAsync(Now + ClaimFor, 10, ClaimFor)).Order());
    }

    [Fact]
    public async Task small_claims_take_every_due_session_exactly_once()
    {
        var due = Hashes(50);
        foreach (var hash in due)
        {
            await Schedule.ScheduleAsync(hash, Now);
        }

        var claimed = new List<string>();
        for (var round = 0; round < 20; round++)
        {
            claimed.AddRange(await Schedule.ClaimDueAsync(Now, 7, ClaimFor));
        }

        Assert.Equal(due.Order(), claimed.Order());
    }

    [Fact]
    public async Task two_instances_claiming_at_once_never_take_the_same_session()
    {
        var due = Hashes(200);
        await Task.WhenAll(due.Select(hash => Schedule.ScheduleAsync(hash, Now)));

        var claims = await Task.WhenAll(
            Task.Run(() => ClaimAllAsync(Schedule)),
            Task.Run(() => ClaimAllAsync(OtherInstance)));

        Assert.Empty(claims[0].Intersect(claims[1]));
        Assert.Equal(due.Order(), claims[0].Concat(claims[1]).Order());
    }

    [Fact]
    public async Task rescheduling_moves_a_session_and_unscheduling_removes_it_and_the_measure_counts_them()
    {
        var (moved, removed, kept) = (Hashes(1)[0], Hashes(1)[0], Hashes(1)[0]);
        foreach (var hash in new[] { moved, removed, kept })
        {
            await Schedule.ScheduleAsync(hash, Now - TimeSpan.FromMinutes(1));
        }

        await OtherInstance.ScheduleAsync(moved, Now + TimeSpan.FromMinutes(5));
        await OtherInstance.UnscheduleAsync(removed);

        var measure = await Schedule.MeasureAsync(Now);
        Assert.Equal(2, measure.Scheduled);
        Assert.Equal(1, measure.Due);
        Assert.Equal((Now - TimeSpan.FromMinutes(1)).ToUnixTimeMilliseconds(), measure.Oldest!.Value.ToUnixTimeMilliseconds());
        Assert.Equal([kept], await Schedule.ClaimDueAsync(Now, 10, TimeSpan.FromMinutes(10)));
        Assert.Equal([moved], await Schedule.ClaimDueAsync(Now + TimeSpan.FromMinutes(5), 10, ClaimFor));
    }

    private static async Task<List<string>> ClaimAllAsync(IRefreshSchedule schedule)
    {
        var claimed = new List<string>();
        IReadOnlyList<string> batch;
        do
        {
            // Nothing claimed: no bucket had a due session left.
            batch = await schedule.ClaimDueAsync(Now, 5, ClaimFor);
            claimed.AddRange(batch);
        }
        while (batch.Count > 0);

        return claimed;
    }

    private static string[] Hashes(int count) => [.. Enumerable.Range(0, count).Select(_ => Guid.NewGuid().ToString("N"))];
}
