using System.Net;
using Bff.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;

namespace Bff.Tests.Sessions;

/// <summary>
/// The gateway behind a real Redis Sentinel setup (a master, a replica and one Sentinel, from Debian's
/// redis-server), configured with a Sentinel connection string only. A failover promotes the replica; the
/// gateway follows on its own, nobody is logged out, and refreshes are stored on the new master. (The
/// session was replicated before the failover: Redis replication is asynchronous, so a write acknowledged
/// by a master that dies before replicating it is lost; see the README.)
/// </summary>
public sealed class RedisSentinelTests : IClassFixture<ProviderHost>, IAsyncLifetime
{
    private readonly ProviderHost _provider;
    private readonly RedisServer _master = new();
    private readonly RedisServer _replica;
    private readonly RedisServer _sentinel;
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);

    public RedisSentinelTests(ProviderHost provider)
    {
        _provider = provider;
        _replica = new RedisServer { ReplicaOf = _master };
        _sentinel = new RedisServer { SentinelOf = _master };
    }

    public async Task InitializeAsync()
    {
        await _master.InitializeAsync();
        await _replica.InitializeAsync();
        await _sentinel.InitializeAsync();
        await UntilAsync(async () => (await ReplicationAsync(_replica)).Contains("master_link_status:up", StringComparison.Ordinal), "the replica to sync");

        // A failover needs a replica the Sentinel knows about (it finds them in the master's INFO).
        var sentinel = _sentinel.Connection.GetServer("127.0.0.1", _sentinel.Port);
        await UntilAsync(async () => (await sentinel.SentinelReplicasAsync(RedisServer.SentinelServiceName))
            .Any(replica => replica.Any(field => field.Key == "port" && field.Value == _replica.Port.ToString(System.Globalization.CultureInfo.InvariantCulture))
                         && replica.Any(field => field.Key == "flags" && field.Value == "slave")), "the Sentinel to discover the replica");
    }

    public async Task DisposeAsync()
    {
        await _sentinel.DisposeAsync();
        await _replica.DisposeAsync();
        await _master.DisposeAsync();
    }

    [Fact]
    public async Task the_gateway_follows_a_sentinel_failover_and_keeps_the_session()
    {
        var configuration = GatewayHost.ConfigurationFor(_provider, $"127.0.0.1:{_sentinel.Port},serviceName={RedisServer.SentinelServiceName},abortConnect=false,connectTimeout=2000");
        await using var gateway = await GatewayHost.StartAsync(_provider, configuration, GatewayHost.WithClock(_clock));
        using var browser = new BrowserClient(gateway.Address);
        await browser.LoginAsync();
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/api/whoami")).StatusCode);
        var before = await gateway.SessionOfAsync(browser);
        Assert.Equal(1L, (long)(await _master.Connection.GetDatabase().ExecuteAsync("WAIT", 1, 10000)));

        await _sentinel.Connection.GetServer("127.0.0.1", _sentinel.Port).SentinelFailoverAsync(RedisServer.SentinelServiceName);
        await UntilAsync(async () => (await ReplicationAsync(_replica)).Contains("role:master", StringComparison.Ordinal), "the replica to be promoted");

        // While the gateway switches over, requests may fail fast with 503; none may end the session.
        var statuses = new List<HttpStatusCode>();
        await UntilAsync(async () =>
        {
            statuses.Add((await browser.GetAsync("/api/whoami")).StatusCode);
            return statuses[^1] == HttpStatusCode.OK;
        }, "the gateway to serve from the new master");
        Assert.True(statuses.All(status => status is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable), string.Join(", ", statuses));

        // A refresh now is stored on the new master.
        _clock.SetUtcNow(before.Tokens.AccessTokenExpiresAt);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/api/whoami")).StatusCode);
        Assert.Equal(before.Version + 1, (await gateway.SessionOfAsync(browser)).Version);
        Assert.NotEmpty(await _replica.Connection.GetServer("127.0.0.1", _replica.Port).KeysAsync(pattern: "*:session").ToArrayAsync());
    }

    /// <summary>
    /// The server's replication section, or empty while the test's own connection to it is down: the Sentinel
    /// closes the client connections of the replica it promotes, so a check can land on a closed socket
    /// (StackExchange.Redis reconnects; the next check reads it).
    /// </summary>
    private static async Task<string> ReplicationAsync(RedisServer server)
    {
        try
        {
            return await server.Connection.GetServer("127.0.0.1", server.Port).InfoRawAsync("replication") ?? "";
        }
        catch (RedisConnectionException)
        {
            return "";
        }
    }

    /// <summary>Redis announces none of these changes to a client: re-check every 100 ms, for at most 30 s.</summary>
    private static Task UntilAsync(Func<Task<bool>> condition, string what) =>
        Eventually.HoldsAsync(condition, what, TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(100));
}
