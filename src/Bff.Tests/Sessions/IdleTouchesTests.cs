using System.Threading.Channels;
using Bff.Sessions;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bff.Tests.Sessions;

/// <summary>Touches are written in the background, together, and only so many wait: a slow store costs requests nothing.</summary>
public sealed class IdleTouchesTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    [Fact]
    public async Task touches_waiting_for_a_slow_store_are_bounded_and_then_written_together()
    {
        var store = new GatedTouchStore();
        using var touches = new IdleTouches(store, NullLogger<IdleTouches>.Instance);
        await touches.StartAsync(CancellationToken.None);

        Assert.True(touches.TryStart(SessionKey.CreateNew(), Now));
        Assert.Single(await store.NextBatchAsync());

        // The store holds that batch: the next touches wait, up to the bound, and the one after is refused
        // (tried at most once past the bound, so that an unbounded queue fails here rather than filling memory).
        var waiting = 0;
        while (waiting <= IdleTouches.MaxPending && touches.TryStart(SessionKey.CreateNew(), Now))
        {
            waiting++;
        }

        Assert.Equal(IdleTouches.MaxPending, waiting);

        store.Open();
        for (var written = 0; written < waiting;)
        {
            var batch = await store.NextBatchAsync();
            Assert.Equal(IdleTouches.MaxBatch, batch.Length);
            written += batch.Length;
        }

        Assert.True(touches.TryStart(SessionKey.CreateNew(), Now));
        Assert.Single(await store.NextBatchAsync());
        await touches.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task a_batch_the_store_fails_does_not_stop_the_next_ones()
    {
        var store = new GatedTouchStore { FailNext = true };
        store.Open();
        using var touches = new IdleTouches(store, NullLogger<IdleTouches>.Instance);
        await touches.StartAsync(CancellationToken.None);

        Assert.True(touches.TryStart(SessionKey.CreateNew(), Now));
        await store.NextBatchAsync();
        var key = SessionKey.CreateNew();
        Assert.True(touches.TryStart(key, Now));

        Assert.Equal(key, Assert.Single(await store.NextBatchAsync()).Key);
        await touches.StopAsync(CancellationToken.None);
    }

    /// <summary>Fault injection: a store whose touch writes wait for <see cref="Open"/>; everything else is in memory.</summary>
    private sealed class GatedTouchStore : ISessionStore
    {
        private readonly InMemorySessionStore _sessions = new(Microsoft.Extensions.Options.Options.Create(StoreOptions.With(TimeSpan.FromHours(1), TimeSpan.FromHours(8))), TimeProvider.System);
        private readonly Channel<SessionTouch[]> _batches = Channel.CreateUnbounded<SessionTouch[]>();
        private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool FailNext { get; set; }

        public void Open() => _open.TrySetResult();

        public async Task<SessionTouch[]> NextBatchAsync() => await _batches.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));

        public async Task TouchAsync(IReadOnlyCollection<SessionTouch> touches, CancellationToken cancellationToken)
        {
            // A copy: the caller reuses its list once the write is done.
            _batches.Writer.TryWrite([.. touches]);
            await _open.Task;
            if (FailNext)
            {
                FailNext = false;
                throw new TimeoutException("Injected: the store did not answer.");
            }
        }

        public Task<SessionRecord?> GetAsync(SessionKey key, CancellationToken cancellationToken) => _sessions.GetAsync(key, cancellationToken);

        public Task<SessionRecord?> GetRequestViewAsync(SessionKey key, CancellationToken cancellationToken) => _sessions.GetRequestViewAsync(key, cancellationToken);

        public Task CreateAsync(SessionKey key, SessionRecord session, CancellationToken cancellationToken) => _sessions.CreateAsync(key, session, cancellationToken);

        public Task<SessionRecord?> TryReplaceTokensAsync(SessionKey key, SessionRecord current, TokenSet tokens, CancellationToken cancellationToken) =>
            _sessions.TryReplaceTokensAsync(key, current, tokens, cancellationToken);

        public Task RemoveAsync(SessionKey key, CancellationToken cancellationToken) => _sessions.RemoveAsync(key, cancellationToken);

        public Task MarkUsedAsync(SessionKey key, string targetId, DateTimeOffset at) => _sessions.MarkUsedAsync(key, targetId, at);

        public Task<DateTimeOffset?> LastUsedAsync(SessionKey key, string targetId) => _sessions.LastUsedAsync(key, targetId);
    }
}
