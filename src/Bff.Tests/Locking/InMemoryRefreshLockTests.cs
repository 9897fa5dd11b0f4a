using Bff.Locking;

namespace Bff.Tests.Locking;

public sealed class InMemoryRefreshLockTests : RefreshLockContract
{
    public InMemoryRefreshLockTests() => Lock = new InMemoryRefreshLock(Clock);

    private protected override IRefreshLock Lock { get; }

    protected override Task LetLeaseLapseAsync(string sessionHash)
    {
        Clock.Advance(Lease + TimeSpan.FromMilliseconds(1));
        return Task.CompletedTask;
    }
}
