using System.Collections;
using System.Diagnostics;

namespace Bff.Tests.Observability;

/// <summary>
/// The collection behind OpenTelemetry's in-memory exporter, safe for spans ending on several threads, that
/// lets a test wait for the span it needs (a server span ends only after its response has been sent).
/// </summary>
public sealed class RecordedActivities : ICollection<Activity>
{
    private readonly List<Activity> _activities = [];
    private readonly List<(Func<Activity, bool> Match, TaskCompletionSource<Activity> Found)> _waiters = [];

    public int Count
    {
        get
        {
            lock (_activities)
            {
                return _activities.Count;
            }
        }
    }

    public bool IsReadOnly => false;

    public void Add(Activity item)
    {
        lock (_activities)
        {
            _activities.Add(item);
            foreach (var waiter in _waiters.Where(w => w.Match(item)).ToArray())
            {
                _waiters.Remove(waiter);
                waiter.Found.TrySetResult(item);
            }
        }
    }

    /// <summary>The first recorded span matching <paramref name="match"/>, waiting for it if it has not ended yet.</summary>
    public Task<Activity> WaitForAsync(Func<Activity, bool> match)
    {
        lock (_activities)
        {
            if (_activities.FirstOrDefault(match) is { } found)
            {
                return Task.FromResult(found);
            }

            var waiter = new TaskCompletionSource<Activity>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((match, waiter));
            return waiter.Task.WaitAsync(TimeSpan.FromSeconds(30));
        }
    }

    public Activity[] InTrace(ActivityTraceId traceId)
    {
        lock (_activities)
        {
            return _activities.Where(a => a.TraceId == traceId).ToArray();
        }
    }

    public void Clear()
    {
        lock (_activities)
        {
            _activities.Clear();
        }
    }

    public bool Contains(Activity item)
    {
        lock (_activities)
        {
            return _activities.Contains(item);
        }
    }

    public void CopyTo(Activity[] array, int arrayIndex)
    {
        lock (_activities)
        {
            _activities.CopyTo(array, arrayIndex);
        }
    }

    public bool Remove(Activity item)
    {
        lock (_activities)
        {
            return _activities.Remove(item);
        }
    }

    public IEnumerator<Activity> GetEnumerator()
    {
        lock (_activities)
        {
            return _activities.ToList().GetEnumerator();
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
