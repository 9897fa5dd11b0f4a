using Bff.Diagnostics;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace Bff.Tokens;

/// <summary>The provider's discovery document, shared with (and cached by) ASP.NET Core's OpenID Connect handler.</summary>
internal sealed class ProviderMetadata(IOptionsMonitor<OpenIdConnectOptions> oidcOptions, ILogger<ProviderMetadata> logger)
{
    public Task<OpenIdConnectConfiguration> GetAsync(CancellationToken cancellationToken)
    {
        var options = oidcOptions.Get(OpenIdConnectDefaults.AuthenticationScheme);
        return options.ConfigurationManager?.GetConfigurationAsync(cancellationToken)
            ?? throw new InvalidOperationException("The OpenID Connect handler has no configuration manager.");
    }

    /// <summary>The document, or null (logged) while it cannot be loaded.</summary>
    public async Task<OpenIdConnectConfiguration?> TryGetAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await GetAsync(cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            Log.ProviderMetadataUnavailable(logger, exception.GetType().Name);
            return null;
        }
    }
}
