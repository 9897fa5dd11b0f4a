using Bff.Hosting;
using Bff.Sessions;
using Bff.Sweeping;
using Bff.Tests.Infrastructure;

namespace Bff.Tests.Hosting;

/// <summary>AddBff registers the core; the parts on its builder decide the store, the sweeper and the routes.</summary>
public sealed class BffBuilderTests
{
    private static readonly Dictionary<string, string?> Configuration = new()
    {
        ["Bff:Oidc:Authority"] = "https://idp.invalid/",
        ["Bff:Oidc:ClientId"] = "builder",
    };

    [Fact]
    public async Task a_gateway_without_a_session_store_fails_at_mapping_with_a_message_naming_the_missing_part()
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(Configuration);
        builder.Services.AddBff(builder.Configuration);
        await using var app = builder.Build();

        var error = Assert.Throws<InvalidOperationException>(() => app.MapBff());
        Assert.Contains("AddSessionStore()", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task the_parts_register_the_store_and_the_sweeper_the_configuration_asks_for()
    {
        var configuration = new Dictionary<string, string?>(Configuration) { ["Bff:Sweeper:Enabled"] = "false" };
        await using var withoutSweeper = GatewayHost.Build(configuration);
        Assert.Empty(withoutSweeper.Services.GetServices<IHostedService>().OfType<SessionSweeper>());
        Assert.IsType<InMemorySessionStore>(withoutSweeper.Services.GetRequiredKeyedService<ISessionStore>(SessionStoreServices.RawStoreKey));

        await using var withSweeper = GatewayHost.Build(Configuration);
        Assert.Single(withSweeper.Services.GetServices<IHostedService>().OfType<SessionSweeper>());
    }
}
