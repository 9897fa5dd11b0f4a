using Bff.Demo.Api;
using Bff.Demo.IdentityProvider;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Logging;

namespace Bff.Tests.Infrastructure;

/// <summary>
/// The real OpenIddict provider (strict rotation unless told otherwise) and the sample API, each on real
/// Kestrel on a free loopback port. One per test class, so the provider's counters belong to that class.
/// </summary>
public class ProviderHost : IAsyncLifetime
{
    public const string User = "alice";
    public const string Password = "alice";

    private WebApplication _idp = null!;
    private WebApplication _api = null!;

    public DemoIdentityProviderSettings Settings { get; } = new()
    {
        Urls = "http://127.0.0.1:0",
        AccessTokenLifetime = TimeSpan.FromMinutes(5),
        GatewayOrigins = [],
        MinimumLogLevel = LogLevel.Warning,
    };

    public string Authority { get; private set; } = "";
    public string ApiAddress { get; private set; } = "";
    public TokenRequestLog TokenLog => _idp.Services.GetRequiredService<TokenRequestLog>();
    public UpstreamLog Upstream => _api.Services.GetRequiredService<UpstreamLog>();
    public IServiceProvider ApiServices => _api.Services;

    /// <summary>The provider's signing key, to sign logout tokens as the provider would.</summary>
    public Microsoft.IdentityModel.Tokens.SigningCredentials SigningCredentials =>
        _idp.Services.GetRequiredService<Microsoft.Extensions.Options.IOptionsMonitor<OpenIddict.Server.OpenIddictServerOptions>>()
            .CurrentValue.SigningCredentials.First();

    // Hosts start on the thread pool, outside xUnit's limited-concurrency synchronization context, which
    // Kestrel's and the handlers' continuations would otherwise queue behind the tests themselves.
    public virtual Task InitializeAsync() => Task.Run(StartAsync);

    private async Task StartAsync()
    {
        _idp = DemoIdentityProvider.Build(Settings);
        await DemoIdentityProvider.InitializeAsync(_idp);
        await _idp.StartAsync();
        Authority = Address(_idp) + "/";

        _api = DemoApi.Build("http://127.0.0.1:0", Authority, minimumLogLevel: LogLevel.Warning);
        await _api.StartAsync();
        ApiAddress = Address(_api) + "/";
    }

    public virtual async Task DisposeAsync()
    {
        var issued = TokenLog.IssuedTokens.ToArray();
        await _api.DisposeAsync();
        await _idp.DisposeAsync();
        // Every test browser of this provider's class is done: none of its tokens may have reached one.
        TokenWitness.AssertNoneSeen(issued, "a browser");
    }

    /// <summary>Lets a gateway on <paramref name="origin"/> receive authorization codes and logout redirects.</summary>
    public Task AllowGatewayAsync(string origin) => DemoIdentityProvider.AddGatewayOriginAsync(_idp, origin);

    public Task RevokeUserTokensAsync(string subject = User) => DemoIdentityProvider.RevokeUserTokensAsync(_idp, subject);

    internal static string Address(WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
}
