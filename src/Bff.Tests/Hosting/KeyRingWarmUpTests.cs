using Bff.Tests.Infrastructure;

namespace Bff.Tests.Hosting;

/// <summary>
/// In Redis mode the Data Protection key ring is loaded (or created) while the gateway starts, not by the first
/// sign-in's request, whose synchronous Redis read answered 503 on a busy start.
/// </summary>
public sealed class KeyRingWarmUpTests(RedisServer redis) : IClassFixture<RedisServer>
{
    [Fact]
    public async Task the_key_ring_is_in_redis_once_the_gateway_has_started_before_any_request()
    {
        var prefix = $"bff-test-{Guid.NewGuid():N}:";
        await using var gateway = GatewayHost.Build(new Dictionary<string, string?>
        {
            ["Bff:Oidc:Authority"] = "https://idp.invalid/",
            ["Bff:Oidc:ClientId"] = "bff",
            ["Bff:Redis:Configuration"] = redis.Configuration,
            ["Bff:Redis:KeyPrefix"] = prefix,
        });

        await gateway.StartAsync();

        Assert.True(await redis.Connection.GetDatabase().ListLengthAsync($"{prefix}data-protection-keys") > 0);
        await gateway.StopAsync();
    }
}
