using Bff.Demo.IdentityProvider;

// Demo defaults; override with --urls or Idp__* environment variables is not needed for the demo script.
var settings = new DemoIdentityProviderSettings();
if (Environment.GetEnvironmentVariable("DEMO_IDP_ACCESS_TOKEN_SECONDS") is { } seconds && int.TryParse(seconds, out var value))
{
    settings.AccessTokenLifetime = TimeSpan.FromSeconds(value);
}

var app = DemoIdentityProvider.Build(settings, args);
await DemoIdentityProvider.InitializeAsync(app);
await app.RunAsync();
