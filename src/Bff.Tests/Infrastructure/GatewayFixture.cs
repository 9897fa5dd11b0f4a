using Bff.Configuration;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Bff.Tests.Infrastructure;

/// <summary>
/// A gateway on a fake clock with fault injection on its token endpoint, in front of a class's own provider.
/// The provider's tokens live 5 real minutes; tests move the gateway's clock to make them due or expired.
/// </summary>
public sealed class GatewayFixture : IAsyncLifetime
{
    public static readonly TimeSpan TokenLifetime = TimeSpan.FromMinutes(5);

    public ProviderHost Provider { get; } = new();
    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);
    public ProviderFaults Faults { get; } = new();
    public GatewayHost Gateway { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Provider.Settings.AccessTokenLifetime = TokenLifetime;
        await Provider.InitializeAsync();
        Gateway = await GatewayHost.StartAsync(Provider, GatewayHost.ConfigurationFor(Provider), services =>
        {
            GatewayHost.WithClock(Clock)(services);
            ProviderFaults.Install(Faults)(services);
        });
    }

    public async Task DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await Provider.DisposeAsync();
    }

    /// <summary>Moves the gateway's clock to <paramref name="beforeExpiry"/> before the session's access token expires.</summary>
    public async Task MoveClockToAsync(BrowserClient browser, TimeSpan beforeExpiry)
    {
        var session = await Gateway.SessionOfAsync(browser);
        var target = session.Tokens.AccessTokenExpiresAt - beforeExpiry;
        if (target > Clock.GetUtcNow())
        {
            Clock.SetUtcNow(target);
        }
    }

    /// <summary>Moves the clock past the back-off that follows one failed refresh (Bff:Tokens:FailureBackoff).</summary>
    public void PassFailureBackoff() =>
        Clock.Advance(Gateway.Services.GetRequiredService<IOptions<BffOptions>>().Value.Tokens.FailureBackoff);
}
