namespace Bff.Tests.Infrastructure;

/// <summary>Two gateway instances on a Redis Cluster of their own (three masters, three replicas), the strict provider.</summary>
public class ClusterFleet() : FleetFixture(instances: 2, redis: new RedisCluster())
{
    public RedisCluster Cluster => (RedisCluster)Redis;
}
