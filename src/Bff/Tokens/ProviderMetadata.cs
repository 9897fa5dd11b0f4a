using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace Bff.Tokens;

/// <summary>The provider's discovery document, shared with (and cached by) ASP.NET Core's OpenID Connect handler.</summary>
internal sealed class ProviderMetadata(IOptionsMonitor<OpenIdConnectOptions> oidcOptions)
{
    public Task<OpenIdConnectConfiguration> GetAsync(CancellationToken cancellationToken)
    {
        var options = oidcOptions.Get(OpenIdConnectDefaults.AuthenticationScheme);
        return options.ConfigurationManager?.GetConfigurationAsync(cancellationToken)
            ?? throw new InvalidOperationException("The OpenID Connect handler has no configuration manager.");
    }

    /// <summary>Whether to send the client secret in the form body (the handler's own choice) or as HTTP Basic.</summary>
    public static bool UsesBasicAuthentication(OpenIdConnectConfiguration configuration)
    {
        var methods = configuration.TokenEndpointAuthMethodsSupported;
        return methods.Count > 0 && !methods.Contains("client_secret_post") && methods.Contains("client_secret_basic");
    }
}
