using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Bff.Tests.Infrastructure;

/// <summary>A logger provider that keeps every entry of one host, so tests can wait for the entry an event writes.</summary>
public sealed class RecordedLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<LogEntry> _entries = new();
    private readonly ConcurrentDictionary<TaskCompletionSource<LogEntry>, Func<LogEntry, bool>> _waiters = new();

    public IReadOnlyCollection<LogEntry> Entries => _entries;

    /// <summary>Registers the recorder with a gateway's services.</summary>
    public Action<IServiceCollection> Install() => services => services.AddSingleton<ILoggerProvider>(this);

    /// <summary>The next entry matching <paramref name="match"/>, from now on.</summary>
    public Task<LogEntry> NextAsync(Func<LogEntry, bool> match)
    {
        var waiter = new TaskCompletionSource<LogEntry>(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiters[waiter] = match;
        return waiter.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }

    public ILogger CreateLogger(string categoryName) => new Recorder(this, categoryName);

    public void Dispose()
    {
    }

    private void Add(LogEntry entry)
    {
        _entries.Enqueue(entry);
        foreach (var (waiter, match) in _waiters)
        {
            if (match(entry) && _waiters.TryRemove(waiter, out _))
            {
                waiter.TrySetResult(entry);
            }
        }
    }

    private sealed class Recorder(RecordedLogs logs, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            logs.Add(new LogEntry(category, logLevel, eventId.Name, formatter(state, exception), exception));
    }
}

public sealed record LogEntry(string Category, LogLevel Level, string? EventName, string Message, Exception? Exception);
