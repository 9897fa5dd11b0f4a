using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;

namespace Bff.Tests.Infrastructure;

/// <summary>
/// panva's oidc-provider (demo/oidc-provider/server.mjs, dependencies from its package-lock by <c>npm ci</c>) in a
/// node child process, with the resource server beside it: strict rotation, consent-gated offline access,
/// client_secret_basic, opaque access tokens. Its redirect URIs are fixed at start, so the gateways' origins are
/// chosen first.
/// </summary>
public sealed class NodeOidcProvider : IAsyncDisposable
{
    public const string ClientId = "spa-bff";
    public const string ClientSecret = "node-secret";

    private readonly Process _process;
    private readonly HttpClient _http = new();

    private NodeOidcProvider(Process process, int port, int apiPort)
    {
        _process = process;
        Authority = $"http://127.0.0.1:{port}";
        ApiAddress = $"http://127.0.0.1:{apiPort}/";
    }

    public string Authority { get; }

    public string ApiAddress { get; }

    public static async Task<NodeOidcProvider> StartAsync(IReadOnlyList<string> gatewayOrigins, TimeSpan accessTokenLifetime)
    {
        var folder = Repository.PathOf("demo/oidc-provider");
        Assert.True(Directory.Exists(Path.Combine(folder, "node_modules", "oidc-provider")),
            "demo/oidc-provider has no node_modules: run `npm ci --prefix demo/oidc-provider` (test.sh does).");
        var (port, apiPort) = (RedisServer.FreeTcpPort(), RedisServer.FreeTcpPort());
        var start = new ProcessStartInfo("node", ["server.mjs"])
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment =
            {
                ["PORT"] = port.ToString(CultureInfo.InvariantCulture),
                ["API_PORT"] = apiPort.ToString(CultureInfo.InvariantCulture),
                ["GATEWAY_ORIGINS"] = string.Join(',', gatewayOrigins),
                ["CLIENT_ID"] = ClientId,
                ["CLIENT_SECRET"] = ClientSecret,
                ["ACCESS_TOKEN_SECONDS"] = ((int)accessTokenLifetime.TotalSeconds).ToString(CultureInfo.InvariantCulture),
                ["USERS"] = $"{ProviderHost.User}:{ProviderHost.Password}",
            },
        };
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var provider = new NodeOidcProvider(process, port, apiPort);
        await Eventually.HoldsAsync(async () =>
        {
            Assert.False(process.HasExited, "node server.mjs exited at start");
            try
            {
                return (await provider._http.GetAsync($"{provider.Authority}/.well-known/openid-configuration")).IsSuccessStatusCode
                    && (await provider._http.GetAsync(provider.ApiAddress)).StatusCode == System.Net.HttpStatusCode.Unauthorized;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, "oidc-provider to answer", TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(100));
        return provider;
    }

    /// <summary>What the provider counted so far.</summary>
    public async Task<ProviderEvents> EventsAsync() =>
        (await _http.GetFromJsonAsync<ProviderEvents>($"{Authority}/test/events"))!;

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
    }

    public sealed record ProviderEvents(int Refreshes, int Reuses, int Revocations, int BackchannelLogouts, int BackchannelErrors, int Codes, int OfflineGrants, string? LastBackchannelError = null);
}
