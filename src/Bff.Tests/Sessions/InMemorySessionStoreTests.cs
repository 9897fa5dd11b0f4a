using Bff.Configuration;
using Bff.Sessions;
using Microsoft.Extensions.Options;

namespace Bff.Tests.Sessions;

public sealed class InMemorySessionStoreTests : SessionStoreContract
{
    public InMemorySessionStoreTests() =>
        Store = new InMemorySessionStore(Options.Create(StoreOptions.With(IdleTimeout, AbsoluteTimeout)), Clock);

    private protected override ISessionStore Store { get; }
}
