namespace Bff.Tracking;

/// <summary>
/// Sessions ordered by the time their access token should be refreshed in the background. A hint, not a
/// guard: the refresh lock and the versioned write keep refreshes single; the schedule only says who is due.
/// Every operation costs O(log N) plus the number of sessions returned, never a scan of all sessions.
/// </summary>
internal interface IRefreshSchedule
{
    /// <summary>Sets (or moves) the session's due time.</summary>
    Task ScheduleAsync(string sessionHash, DateTimeOffset dueAt);

    Task UnscheduleAsync(string sessionHash);

    /// <summary>
    /// Atomically takes up to <paramref name="max"/> sessions due at <paramref name="now"/> and pushes each to
    /// <paramref name="now"/> + <paramref name="claimFor"/>, so no other instance takes them meanwhile; a
    /// claimant that dies leaves them due again once the claim lapses.
    /// </summary>
    Task<IReadOnlyList<string>> ClaimDueAsync(DateTimeOffset now, int max, TimeSpan claimFor);

    /// <summary>How many sessions are scheduled and due, and the earliest due time (for the gauges).</summary>
    Task<ScheduleMeasure> MeasureAsync(DateTimeOffset now);
}

/// <param name="Scheduled">Live sessions with tokens to keep fresh, fleet-wide.</param>
/// <param name="Due">Sessions due for a background refresh.</param>
/// <param name="Oldest">The earliest due time among them, null when none is due.</param>
internal readonly record struct ScheduleMeasure(long Scheduled, long Due, DateTimeOffset? Oldest);
