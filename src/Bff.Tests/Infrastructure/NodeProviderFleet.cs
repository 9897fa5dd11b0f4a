using Microsoft.Extensions.Time.Testing;

namespace Bff.Tests.Infrastructure;

/// <summary>
/// Two gateway instances sharing one redis-server, signing in at panva's oidc-provider (<see cref="NodeOidcProvider"/>)
/// with client_secret_basic, on one fake clock; their logs recorded. <paramref name="prompt"/> is
/// <c>Bff:Oidc:Prompt</c> (null: not set, so that provider grants no offline access).
/// </summary>
public class NodeProviderFleet(string? prompt) : IAsyncLifetime
{
    /// <summary>Access tokens live this long at the provider (real time); the gateways' clock moves past it.</summary>
    public static readonly TimeSpan TokenLifetime = TimeSpan.FromMinutes(10);

    public RedisServer Redis { get; } = new();
    public NodeOidcProvider Provider { get; private set; } = null!;
    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);
    public RecordedLogs Logs { get; } = new();
    public List<GatewayHost> Gateways { get; } = [];

    public async Task InitializeAsync()
    {
        await Redis.InitializeAsync();
        var origins = Enumerable.Range(0, 2).Select(_ => $"http://127.0.0.1:{RedisServer.FreeTcpPort()}").ToArray();
        Provider = await NodeOidcProvider.StartAsync(origins, TokenLifetime);
        var prefix = $"bff-test-{Guid.NewGuid():N}:";
        foreach (var origin in origins)
        {
            var configuration = new Dictionary<string, string?>
            {
                ["urls"] = origin,
                ["Bff:Oidc:Authority"] = Provider.Authority,
                ["Bff:Oidc:ClientId"] = NodeOidcProvider.ClientId,
                ["Bff:Oidc:ClientSecret"] = NodeOidcProvider.ClientSecret,
                ["Bff:Oidc:RequireHttpsMetadata"] = "false",
                ["Bff:Oidc:ClientAuthentication"] = "client_secret_basic",
                ["Bff:Oidc:Prompt"] = prompt,
                ["Bff:Redis:Configuration"] = Redis.Configuration,
                ["Bff:Redis:KeyPrefix"] = prefix,
                ["Bff:Tokens:IdpTimeout"] = "00:00:10",
                ["Bff:Sweeper:Enabled"] = "false",
                ["ReverseProxy:Routes:api:ClusterId"] = "api",
                ["ReverseProxy:Routes:api:Match:Path"] = "/api/{**rest}",
                ["ReverseProxy:Routes:api:Metadata:Bff.AccessToken"] = "User",
                ["ReverseProxy:Clusters:api:Destinations:d1:Address"] = Provider.ApiAddress,
            };
            Gateways.Add(await GatewayHost.StartAsync(null, configuration, services =>
            {
                GatewayHost.WithClock(Clock)(services);
                Logs.Install()(services);
            }));
        }
    }

    /// <summary>Signs in on the first instance; one browser per instance sharing the session cookie.</summary>
    public Task<BrowserClient[]> SignInEverywhereAsync() => BrowserClient.SignInEverywhereAsync(Gateways);

    public async Task DisposeAsync()
    {
        foreach (var gateway in Gateways)
        {
            await gateway.DisposeAsync();
        }

        await Provider.DisposeAsync();
        await Redis.DisposeAsync();
    }
}
