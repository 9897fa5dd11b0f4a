using Bff.Configuration;
using Bff.Endpoints;
using Bff.Sessions;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace Bff.Hosting;

/// <summary>
/// Configures ASP.NET Core's OpenID Connect handler from <c>Bff:Oidc</c>: authorization code with PKCE as a
/// confidential client, tokens handed to the session scheme, never to the browser.
/// </summary>
internal sealed class OidcHandlerSetup(IOptions<BffOptions> bffOptions) : IConfigureNamedOptions<OpenIdConnectOptions>
{
    private static readonly string[] DefaultScopes = ["openid", "profile", "offline_access"];

    public void Configure(string? name, OpenIdConnectOptions options)
    {
        if (name != OpenIdConnectDefaults.AuthenticationScheme)
        {
            return;
        }

        var bff = bffOptions.Value;
        options.Authority = bff.Oidc.Authority;
        options.ClientId = bff.Oidc.ClientId;
        options.ClientSecret = bff.Oidc.ClientSecret;
        options.RequireHttpsMetadata = bff.Oidc.RequireHttpsMetadata;
        options.ResponseType = OpenIdConnectResponseType.Code;
        options.UsePkce = true;
        options.SaveTokens = true;
        options.MapInboundClaims = false;
        options.GetClaimsFromUserInfoEndpoint = false;
        options.SignInScheme = BffSessionHandler.SchemeName;
        options.BackchannelTimeout = bff.Tokens.IdpTimeout;
        options.TokenValidationParameters.NameClaimType = "name";
        options.TokenValidationParameters.RoleClaimType = "role";
        options.Scope.Clear();
        foreach (var scope in bff.Oidc.Scopes.Count > 0 ? bff.Oidc.Scopes : [.. DefaultScopes])
        {
            options.Scope.Add(scope);
        }

        options.Events.OnRedirectToIdentityProviderForSignOut = context =>
        {
            if (context.HttpContext.Items[LogoutEndpoint.IdTokenHintItem] is string idToken)
            {
                context.ProtocolMessage.IdTokenHint = idToken;
            }

            return Task.CompletedTask;
        };
        options.Events.OnRemoteFailure = async context =>
        {
            context.HandleResponse();
            await ProblemResponse.WriteAsync(context.HttpContext, BffError.LoginFailed);
        };
    }

    public void Configure(OpenIdConnectOptions options) => Configure(Options.DefaultName, options);
}
