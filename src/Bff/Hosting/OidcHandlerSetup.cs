using System.Globalization;
using Bff.Configuration;
using Bff.Sessions;
using Bff.Web;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace Bff.Hosting;

/// <summary>
/// Configures ASP.NET Core's OpenID Connect handler from <c>Bff:Oidc</c>: authorization code with PKCE as a
/// confidential client, tokens handed to the session scheme, never to the browser.
/// </summary>
internal sealed class OidcHandlerSetup(IOptions<BffOptions> bffOptions, TimeProvider time) : IConfigureNamedOptions<OpenIdConnectOptions>
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
        // Redeeming the sign-in's code, like a refresh, is not cut short at IdpTimeout (the code is single-use, and a
        // browser waiting on the callback is better served late than failed).
        options.BackchannelTimeout = bff.Tokens.IdpCallLimit;
        options.TokenValidationParameters.NameClaimType = "name";
        options.TokenValidationParameters.RoleClaimType = "role";
        options.Scope.Clear();
        foreach (var scope in bff.Oidc.Scopes.Count > 0 ? bff.Oidc.Scopes : [.. DefaultScopes])
        {
            options.Scope.Add(scope);
        }

        // RP-Initiated Logout 1.0 §2: identify the client with client_id, not id_token_hint, because the
        // redirect passes through the browser and no token may reach it (DESIGN invariant 6).
        options.Events.OnRedirectToIdentityProviderForSignOut = context =>
        {
            context.ProtocolMessage.IdTokenHint = null;
            context.ProtocolMessage.ClientId = bff.Oidc.ClientId;
            return Task.CompletedTask;
        };
        // The first access token's lifetime counts from when the code is redeemed, as a refresh's does.
        const string RequestedAtItem = ".bff.token_requested_at";
        options.Events.OnAuthorizationCodeReceived = context =>
        {
            context.Properties!.Items[RequestedAtItem] = time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture);
            return Task.CompletedTask;
        };
        options.Events.OnTokenResponseReceived = context =>
        {
            var items = context.Properties!.Items;
            if (context.TokenEndpointResponse.AccessToken is { Length: > 0 } accessToken
                && items.TryGetValue(RequestedAtItem, out var requestedAtText)
                && DateTimeOffset.TryParse(requestedAtText, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var requestedAt))
            {
                var stated = TokenLifetime.FromExpiresIn(long.TryParse(context.TokenEndpointResponse.ExpiresIn, out var seconds) ? seconds : null, requestedAt);
                items[BffSessionHandler.AccessTokenExpiresAtItem] = TokenLifetime.ExpiresAt(accessToken, stated, requestedAt).ToString("O", CultureInfo.InvariantCulture);
            }

            items.Remove(RequestedAtItem);
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
