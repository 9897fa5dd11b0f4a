using Bff.Locking;
using Microsoft.Extensions.Time.Testing;

namespace Bff.Tests.Locking;

/// <summary>Lease-lock behaviour both lock implementations must have (DESIGN invariant 4).</summary>
public abstract class RefreshLockContract
{
    protected static readonly TimeSpan Lease = TimeSpan.FromSeconds(15);

    protected FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    private protected abstract IRefreshLock Lock { get; }

    /// <summary>Lets the lease of a holder lapse (virtual time in process, real expiry in Redis).</summary>
    protected abstract Task LetLeaseLapseAsync(string sessionHash);

    [Fact]
    public async Task only_one_owner_holds_the_lock()
    {
        var hash = Guid.NewGuid().ToString("N");

        var attempts = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() => Lock.TryAcquireAsync(hash, Lease, CancellationToken.None))));

        Assert.Single(attempts, lease => lease is not null);
    }

    [Fact]
    public async Task a_released_lock_can_be_taken_again()
    {
        var hash = Guid.NewGuid().ToString("N");
        var first = await Lock.TryAcquireAsync(hash, Lease, CancellationToken.None);
        Assert.NotNull(first);

        await first.DisposeAsync();

        Assert.NotNull(await Lock.TryAcquireAsync(hash, Lease, CancellationToken.None));
    }

    [Fact]
    public async Task a_crashed_holders_lease_lapses_by_itself_and_its_late_release_frees_nothing()
    {
        var hash = Guid.NewGuid().ToString("N");
        var crashed = await Lock.TryAcquireAsync(hash, Lease, CancellationToken.None);
        Assert.NotNull(crashed);
        Assert.Null(await Lock.TryAcquireAsync(hash, Lease, CancellationToken.None));

        await LetLeaseLapseAsync(hash);
        var survivor = await Lock.TryAcquireAsync(hash, Lease, CancellationToken.None);
        Assert.NotNull(survivor);

        await crashed.DisposeAsync();
        Assert.False(await crashed.ExtendAsync(Lease));
        Assert.Null(await Lock.TryAcquireAsync(hash, Lease, CancellationToken.None));
        Assert.True(await survivor.ExtendAsync(Lease));
    }
}
