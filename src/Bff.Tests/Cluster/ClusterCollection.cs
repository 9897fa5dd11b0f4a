using Bff.Tests.Infrastructure;

namespace Bff.Tests.Cluster;

/// <summary>
/// One three-master, three-replica cluster shared by the contract suites and the fleet race (they only add keys
/// under prefixes of their own). Tests that fail nodes over start a cluster of their own.
/// </summary>
[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<RedisCluster>
{
    public const string Name = "Redis Cluster";
}
