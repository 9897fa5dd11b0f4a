namespace Bff.Tracking;

/// <summary>The single-instance schedule: a sorted set in process, behind one lock.</summary>
internal sealed class InMemoryRefreshSchedule : IRefreshSchedule
{
    private readonly SortedSet<(DateTimeOffset DueAt, string Hash)> _byDue = [];
    private readonly Dictionary<string, DateTimeOffset> _dueOf = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public Task ScheduleAsync(string sessionHash, DateTimeOffset dueAt)
    {
        lock (_gate)
        {
            RemoveLocked(sessionHash);
            _byDue.Add((dueAt, sessionHash));
            _dueOf[sessionHash] = dueAt;
        }

        return Task.CompletedTask;
    }

    public Task UnscheduleAsync(string sessionHash)
    {
        lock (_gate)
        {
            RemoveLocked(sessionHash);
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<string>> ClaimDueAsync(DateTimeOffset now, int max, TimeSpan claimFor)
    {
        lock (_gate)
        {
            var claimed = _byDue.TakeWhile(entry => entry.DueAt <= now).Take(max).Select(entry => entry.Hash).ToList();
            foreach (var hash in claimed)
            {
                RemoveLocked(hash);
                _byDue.Add((now + claimFor, hash));
                _dueOf[hash] = now + claimFor;
            }

            return Task.FromResult<IReadOnlyList<string>>(claimed);
        }
    }

    public Task<ScheduleMeasure> MeasureAsync(DateTimeOffset now)
    {
        lock (_gate)
        {
            if (_byDue.Count == 0 || _byDue.Min.DueAt > now)
            {
                return Task.FromResult(new ScheduleMeasure(_byDue.Count, 0, null));
            }

            var due = _byDue.GetViewBetween(_byDue.Min, (now, "\uffff")).Count;
            return Task.FromResult(new ScheduleMeasure(_byDue.Count, due, _byDue.Min.DueAt));
        }
    }

    private void RemoveLocked(string sessionHash)
    {
        if (_dueOf.Remove(sessionHash, out var dueAt))
        {
            _byDue.Remove((dueAt, sessionHash));
        }
    }
}
