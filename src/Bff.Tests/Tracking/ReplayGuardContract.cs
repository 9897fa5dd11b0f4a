using Bff.Tracking;
using Microsoft.Extensions.Time.Testing;

namespace Bff.Tests.Tracking;

/// <summary>What every <see cref="IReplayGuard"/> must do (a logout token's jti is accepted once, fleet-wide).</summary>
public abstract class ReplayGuardContract
{
    protected FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    private protected abstract IReplayGuard Guard { get; }

    /// <summary>Another instance's guard over the same store.</summary>
    private protected abstract IReplayGuard OtherInstance { get; }

    [Fact]
    public async Task a_value_is_accepted_once_on_any_instance_and_others_stay_new()
    {
        var value = Guid.NewGuid().ToString("N");
        var expiresAt = Clock.GetUtcNow() + TimeSpan.FromMinutes(5);

        Assert.True(await Guard.TryUseAsync(value, expiresAt));
        Assert.False(await Guard.TryUseAsync(value, expiresAt));
        Assert.False(await OtherInstance.TryUseAsync(value, expiresAt));
        Assert.True(await OtherInstance.TryUseAsync(Guid.NewGuid().ToString("N"), expiresAt));
    }

    [Fact]
    public async Task of_twenty_concurrent_uses_exactly_one_is_accepted()
    {
        var value = Guid.NewGuid().ToString("N");
        var expiresAt = Clock.GetUtcNow() + TimeSpan.FromMinutes(5);

        var uses = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(() => (i % 2 == 0 ? Guard : OtherInstance).TryUseAsync(value, expiresAt))));

        Assert.Single(uses, accepted => accepted);
    }
}
