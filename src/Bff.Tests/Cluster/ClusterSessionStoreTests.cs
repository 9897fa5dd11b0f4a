using Bff.Redis;
using Bff.Sessions;
using Bff.Tests.Infrastructure;
using Bff.Tests.Sessions;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;

namespace Bff.Tests.Cluster;

/// <summary>The session store contract on a real Redis Cluster: every script touches one session's keys, in one slot.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterSessionStoreTests : SessionStoreContract
{
    public ClusterSessionStoreTests(RedisCluster cluster)
    {
        var options = Options.Create(StoreOptions.With(IdleTimeout, AbsoluteTimeout, $"bff-test-{Guid.NewGuid():N}:"));
        Store = new RedisSessionStore(cluster.Connection, new RedisKeys(options), new EphemeralDataProtectionProvider(), options, Clock);
    }

    private protected override ISessionStore Store { get; }
}
