namespace Bff.Tests.Infrastructure;

/// <summary>
/// A fleet whose refreshes go to the strict JSON-format provider stub (Supabase GoTrue style) while sign-in
/// still goes through the OpenIddict provider.
/// </summary>
public abstract class JsonProviderFleet(int instances, bool sweeper) : FleetFixture(instances, sweeper: sweeper)
{
    public JsonTokenProviderStub Stub { get; private set; } = null!;

    protected override async Task ConfigureAsync(Dictionary<string, string?> configuration)
    {
        Stub = await JsonTokenProviderStub.StartAsync();
        configuration["Bff:Tokens:RefreshRequest:Format"] = "Json";
        configuration["Bff:Tokens:RefreshRequest:Endpoint"] = Stub.Endpoint;
        configuration["Bff:Tokens:RefreshRequest:Headers:apikey"] = "anon-key";
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Stub.DisposeAsync();
    }
}
