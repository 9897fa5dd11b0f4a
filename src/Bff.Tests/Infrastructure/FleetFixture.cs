using Microsoft.Extensions.Time.Testing;

namespace Bff.Tests.Infrastructure;

/// <summary>
/// Several gateway instances on real Kestrel sharing one real redis-server (or a cluster), one strict provider and one fake
/// clock (so "the moment of expiry" is the same instant for all of them). Each instance has its own fault
/// handler on its token-endpoint client.
/// </summary>
public class FleetFixture : IAsyncLifetime
{
    private readonly int _instances;
    private readonly bool _sweeper;
    private readonly bool _realClock;

    public FleetFixture() : this(instances: 3)
    {
    }

    protected FleetFixture(int instances, TimeSpan? refreshTokenReuseLeeway = null, bool sweeper = false, bool realClock = false, IRedisDeployment? redis = null)
    {
        Redis = redis ?? new RedisServer();
        _instances = instances;
        _sweeper = sweeper;
        _realClock = realClock;
        Provider.Settings.AccessTokenLifetime = GatewayFixture.TokenLifetime;
        Provider.Settings.RefreshTokenReuseLeeway = refreshTokenReuseLeeway ?? TimeSpan.Zero;
    }

    /// <summary>One redis-server unless the derived fleet gives a cluster.</summary>
    public IRedisDeployment Redis { get; }
    public ProviderHost Provider { get; } = new();
    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);
    public List<GatewayHost> Gateways { get; } = [];
    public List<ProviderFaults> Faults { get; } = [];
    public Dictionary<string, string?> Configuration { get; private set; } = [];

    public async Task InitializeAsync()
    {
        await Task.WhenAll(Redis.InitializeAsync(), Provider.InitializeAsync());
        Configuration = GatewayHost.ConfigurationFor(Provider, Redis.Configuration);
        Configuration["Bff:Tokens:IdpTimeout"] = "00:00:10";
        Configuration["Bff:Sweeper:Enabled"] = _sweeper ? "true" : "false";
        await ConfigureAsync(Configuration);
        for (var i = 0; i < _instances; i++)
        {
            var faults = new ProviderFaults();
            Faults.Add(faults);
            Gateways.Add(await GatewayHost.StartAsync(Provider, Configuration, services =>
            {
                if (!_realClock)
                {
                    GatewayHost.WithClock(Clock)(services);
                }

                ProviderFaults.Install(faults)(services);
            }));
        }
    }

    /// <summary>Lets a derived fleet start more parts and adjust the gateways' configuration before they start.</summary>
    protected virtual Task ConfigureAsync(Dictionary<string, string?> configuration) => Task.CompletedTask;

    public virtual async Task DisposeAsync()
    {
        // Every part is stopped even when a check fails, so a failing class leaks no redis-server or provider.
        try
        {
            foreach (var gateway in Gateways)
            {
                await gateway.DisposeAsync();
            }

            // After every test of the class: nothing in Redis holds a token in clear (DESIGN invariant 8).
            TokenWitness.AssertNoneIn(await Redis.DumpAsync(), Provider.TokenLog.IssuedTokens, "Redis");
        }
        finally
        {
            await Provider.DisposeAsync();
            await Redis.DisposeAsync();
        }
    }

    /// <summary>Signs in on the first instance and returns one browser per instance sharing that session cookie.</summary>
    public Task<BrowserClient[]> SignInEverywhereAsync() => BrowserClient.SignInEverywhereAsync(Gateways);

    /// <summary>
    /// Moves the shared clock to the first sweeper tick at or after <paramref name="to"/> (and after now), and
    /// waits for every instance's sweep. Landing on a tick matters: the clock shows each tick it passes to the
    /// sweep that tick wakes, so a sweep woken on the way could otherwise start before <paramref name="to"/>
    /// and be the last one.
    /// </summary>
    public async Task<DateTimeOffset> SweepAllAtAsync(DateTimeOffset to)
    {
        var tick = await TickAtOrAfterAsync(to > Clock.GetUtcNow() ? to : Clock.GetUtcNow() + TimeSpan.FromTicks(1));
        Clock.SetUtcNow(tick);
        await Task.WhenAll(Gateways.Select(g => g.SweptSinceAsync(tick)));
        return tick;
    }

    /// <summary>The first sweeper tick at or after <paramref name="time"/>, the same on every instance.</summary>
    public async Task<DateTimeOffset> TickAtOrAfterAsync(DateTimeOffset time)
    {
        var ticks = await Task.WhenAll(Gateways.Select(g => g.SweepTickAtOrAfterAsync(time)));
        Assert.True(ticks.Distinct().Count() == 1, "the instances' sweepers tick at different times on the shared clock");
        return ticks[0];
    }

    /// <summary>Moves the shared clock to the moment the latest-expiring of these sessions' access tokens expires.</summary>
    public async Task MoveClockToExpiryAsync(IEnumerable<BrowserClient> browsers)
    {
        var latest = DateTimeOffset.MinValue;
        foreach (var browser in browsers)
        {
            var session = await Gateways[0].SessionOfAsync(browser);
            latest = session.Tokens.AccessTokenExpiresAt > latest ? session.Tokens.AccessTokenExpiresAt : latest;
        }

        if (latest > Clock.GetUtcNow())
        {
            Clock.SetUtcNow(latest);
        }
    }
}
