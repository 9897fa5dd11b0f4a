using Bff.Demo.IdentityProvider;

// Demo defaults; --urls and the DEMO_IDP_* variables below override them (deploy/compose sets them).
var settings = new DemoIdentityProviderSettings();
if (Environment.GetEnvironmentVariable("DEMO_IDP_ACCESS_TOKEN_SECONDS") is { } seconds && int.TryParse(seconds, out var value))
{
    settings.AccessTokenLifetime = TimeSpan.FromSeconds(value);
}

// Comma-separated origins of gateways (or of the TLS proxy in front of them) allowed to receive codes.
if (Environment.GetEnvironmentVariable("DEMO_IDP_GATEWAY_ORIGINS") is { Length: > 0 } origins)
{
    settings.GatewayOrigins = [.. origins.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
}

var app = DemoIdentityProvider.Build(settings, args);
await DemoIdentityProvider.InitializeAsync(app);
await app.RunAsync();
