using Bff.Tests.Infrastructure;

namespace Bff.Tests.Configuration;

/// <summary>Invalid configuration stops the gateway at start-up with a message naming the key and the fix.</summary>
public sealed class StartupValidationTests
{
    private static Dictionary<string, string?> Valid() => new()
    {
        ["Bff:Oidc:Authority"] = "https://idp.example.com",
        ["Bff:Oidc:ClientId"] = "spa-bff",
        ["ReverseProxy:Routes:api:ClusterId"] = "api",
        ["ReverseProxy:Routes:api:Match:Path"] = "/api/{**rest}",
        ["ReverseProxy:Routes:api:Metadata:Bff.AccessToken"] = "User",
        ["ReverseProxy:Clusters:api:Destinations:d1:Address"] = "https://api.internal/",
    };

    [Theory]
    [InlineData("Bff:Oidc:Authority", "", "Bff:Oidc:Authority is missing")]
    [InlineData("Bff:Oidc:ClientId", "", "Bff:Oidc:ClientId is missing")]
    [InlineData("Bff:Oidc:Authority", "http://idp.example.com", "Bff:Oidc:RequireHttpsMetadata")]
    [InlineData("Bff:Cookie:Name", "bff", "must start with '__Host-'")]
    [InlineData("Bff:Cookie:SameSite", "None", "Bff:Cookie:SameSite must be Strict or Lax")]
    [InlineData("Bff:Tokens:IdpTimeout", "00:00:00", "Bff:Tokens:IdpTimeout must be a positive duration")]
    [InlineData("Bff:Tokens:RefreshRequest:Format", "Json", "Bff:Tokens:RefreshRequest:Endpoint is required")]
    [InlineData("Bff:Frontend:Path", "/no/such/folder", "Bff:Frontend:Path '/no/such/folder' is not an existing folder")]
    [InlineData("Bff:Tokens:IdpTimout", "00:00:05", "Bff:Tokens:IdpTimout is not a setting of the gateway")]
    [InlineData("Bff:ForwardedHeaders:KnownProxies:0", "10.0.0.0/8", "Bff:ForwardedHeaders:KnownProxies:0 '10.0.0.0/8' is not an IP address")]
    [InlineData("Bff:ForwardedHeaders:KnownNetworks:0", "10.0.0.1", "Bff:ForwardedHeaders:KnownNetworks:0 '10.0.0.1' is not a network in CIDR form")]
    [InlineData("Bff:PathBase", "app", "Bff:PathBase 'app' must be a path such as /app")]
    [InlineData("Bff:PathBase", "/app/", "Bff:PathBase '/app/' must be a path such as /app")]
    [InlineData("Bff:ForwardedHeaderz:KnownProxies:0", "10.0.0.1", "Bff:ForwardedHeaderz is not a setting of the gateway")]
    [InlineData("Bff:Oidc:Prompt", "consent offline", "Bff:Oidc:Prompt 'consent offline' is not a space-separated list")]
    [InlineData("Bff:Oidc:AuthorizeParameters:redirect_uri", "https://evil.example/", "Bff:Oidc:AuthorizeParameters:redirect_uri is set by the gateway itself")]
    [InlineData("Bff:Oidc:ClientAuthentication", "private_key_jwt", "Bff:Oidc:ClientAuthentication 'private_key_jwt' must be auto, client_secret_post or client_secret_basic")]
    [InlineData("Bff:Redis:ScheduleBuckets", "0", "Bff:Redis:ScheduleBuckets must be between 1 and 1024")]
    [InlineData("Bff:Redis:KeyPrefix", "bff{1}:", "Bff:Redis:KeyPrefix 'bff{1}:' must not contain")]
    public async Task an_invalid_bff_setting_stops_start_up_naming_the_key(string key, string value, string message)
    {
        var configuration = Valid();
        configuration[key] = value;

        var failure = await Assert.ThrowsAnyAsync<Exception>(() => StartAsync(configuration));

        Assert.Contains(message, failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Bff.AccessToken", "Usr", "ReverseProxy:Routes:api:Metadata:Bff.AccessToken has the unknown value 'Usr': use User, UserOrNone, Client, UserOrClient or None.")]
    [InlineData("Bff.AccessToken", "1", "ReverseProxy:Routes:api:Metadata:Bff.AccessToken has the unknown value '1'")]
    [InlineData("Bff.Antiforgery", "nope", "ReverseProxy:Routes:api:Metadata:Bff.Antiforgery has the value 'nope'")]
    [InlineData("Bff.Antiforgry", "false", "ReverseProxy:Routes:api:Metadata:Bff.Antiforgry is not a setting of the gateway")]
    [InlineData("Bff.AccessToken.Resource", "/orders", "ReverseProxy:Routes:api:Metadata:Bff.AccessToken.Resource is '/orders': use an absolute URI")]
    [InlineData("Bff.AccessToken.Resource", "https://orders.example/#x", "Bff.AccessToken.Resource is 'https://orders.example/#x': use an absolute URI without a fragment")]
    [InlineData("Bff.AccessToken.Scope", "orders\\read", "ReverseProxy:Routes:api:Metadata:Bff.AccessToken.Scope is 'orders\\read'")]
    [InlineData("Bff.AccessToken.Audience", " ", "ReverseProxy:Routes:api:Metadata:Bff.AccessToken.Audience is empty")]
    public async Task an_invalid_route_metadata_value_stops_start_up_naming_the_key(string metadata, string value, string message)
    {
        var configuration = Valid();
        configuration[$"ReverseProxy:Routes:api:Metadata:{metadata}"] = value;

        var failure = await Assert.ThrowsAnyAsync<Exception>(() => StartAsync(configuration));

        Assert.Contains(message, Flatten(failure), StringComparison.Ordinal);
    }

    [Fact]
    public async Task a_token_target_on_a_route_without_a_token_or_on_a_cluster_with_an_unknown_key_stops_start_up()
    {
        var withoutToken = Valid();
        withoutToken["ReverseProxy:Routes:api:Metadata:Bff.AccessToken"] = "None";
        withoutToken["ReverseProxy:Routes:api:Metadata:Bff.AccessToken.Resource"] = "https://orders.example/";
        Assert.Contains("but Bff.AccessToken is None", Flatten(await Assert.ThrowsAnyAsync<Exception>(() => StartAsync(withoutToken))), StringComparison.Ordinal);

        var clusterTypo = Valid();
        clusterTypo["ReverseProxy:Clusters:api:Metadata:Bff.AccessToken.Resorce"] = "https://orders.example/";
        Assert.Contains("ReverseProxy:Clusters:api:Metadata:Bff.AccessToken.Resorce is not a setting of the gateway",
            Flatten(await Assert.ThrowsAnyAsync<Exception>(() => StartAsync(clusterTypo))), StringComparison.Ordinal);

        var goTrue = Valid();
        goTrue["Bff:Tokens:RefreshRequest:Format"] = "Json";
        goTrue["Bff:Tokens:RefreshRequest:Endpoint"] = "https://project.supabase.example/auth/v1/token?grant_type=refresh_token";
        goTrue["ReverseProxy:Routes:api:Metadata:Bff.AccessToken.Resource"] = "https://orders.example/";
        Assert.Contains("which Bff:Tokens:RefreshRequest:Format Json (GoTrue) cannot request",
            Flatten(await Assert.ThrowsAnyAsync<Exception>(() => StartAsync(goTrue))), StringComparison.Ordinal);
    }

    [Fact]
    public async Task a_valid_configuration_starts()
    {
        await StartAsync(Valid());
    }

    private static async Task StartAsync(Dictionary<string, string?> configuration)
    {
        await using var app = GatewayHost.Build(configuration);
        await Task.Run(() => app.StartAsync());
        await app.StopAsync();
    }

    private static string Flatten(Exception exception) =>
        exception is AggregateException aggregate
            ? string.Join("\n", aggregate.Flatten().InnerExceptions.Select(Flatten))
            : exception.Message + (exception.InnerException is { } inner ? "\n" + Flatten(inner) : "");
}
