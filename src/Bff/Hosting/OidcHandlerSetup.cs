using System.Globalization;
using Bff.Configuration;
using Bff.Diagnostics;
using Bff.Sessions;
using Bff.Tokens;
using Bff.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using StackExchange.Redis;

namespace Bff.Hosting;

/// <summary>
/// Configures ASP.NET Core's OpenID Connect handler from <c>Bff:Oidc</c>: authorization code with PKCE as a
/// confidential client, tokens handed to the session scheme, never to the browser.
/// </summary>
internal sealed class OidcHandlerSetup(IOptions<BffOptions> bffOptions, TimeProvider time, ClientAuthentication client, ILogger<OidcHandlerSetup> logger)
    : IConfigureNamedOptions<OpenIdConnectOptions>
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

        // Offline access by the provider's rules: prompt=consent (OpenID Connect Core §11), or its own parameter.
        options.Events.OnRedirectToIdentityProvider = context =>
        {
            if (bff.Oidc.Prompt is { Length: > 0 } prompt)
            {
                context.ProtocolMessage.Prompt = prompt;
            }

            foreach (var (name, value) in bff.Oidc.AuthorizeParameters)
            {
                context.ProtocolMessage.SetParameter(name, value);
            }

            return Task.CompletedTask;
        };

        // The session is written here rather than by the handler after this event, so that a store that cannot take
        // it (Redis, or one cluster shard, down) answers 503 login_unavailable, with nothing half-written
        // (TrackedSessionStore), instead of an unhandled exception.
        options.Events.OnTicketReceived = async context =>
        {
            context.HandleResponse();
            try
            {
                await context.HttpContext.SignInAsync(BffSessionHandler.SchemeName, context.Principal!, context.Properties);
            }
            catch (Exception exception) when (exception is RedisException or TimeoutException)
            {
                Log.SignInUnavailable(logger, exception.GetType().Name);
                await ProblemResponse.WriteAsync(context.HttpContext, BffError.LoginUnavailable);
                return;
            }

            context.Response.Redirect(context.ReturnUri ?? "/");
        };

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
        options.Events.OnAuthorizationCodeReceived = async context =>
        {
            context.Properties!.Items[RequestedAtItem] = time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture);
            var configuration = await context.Options.ConfigurationManager!.GetConfigurationAsync(context.HttpContext.RequestAborted);
            if (client.UsesBasic(configuration))
            {
                await RedeemWithBasicAsync(context, configuration);
            }
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

    /// <summary>
    /// The handler always posts the secret in the body; a client registered for <c>client_secret_basic</c> (which
    /// a strict provider enforces) redeems its code with the secret in the Authorization header instead.
    /// </summary>
    private async Task RedeemWithBasicAsync(AuthorizationCodeReceivedContext context, OpenIdConnectConfiguration configuration)
    {
        var form = context.TokenEndpointRequest!.Parameters
            .Where(p => p.Key is not (OpenIdConnectParameterNames.ClientId or OpenIdConnectParameterNames.ClientSecret))
            .ToList();
        using var request = client.CreatePost(configuration.TokenEndpoint, form, configuration);
        using var response = await context.Backchannel.SendAsync(request, context.HttpContext.RequestAborted);
        var body = await response.Content.ReadAsStringAsync(context.HttpContext.RequestAborted);
        if (!response.IsSuccessStatusCode)
        {
            // The status only: an error body is the provider's text, not ours to repeat.
            throw new OpenIdConnectProtocolException($"The token endpoint refused the authorization code ({(int)response.StatusCode}).");
        }

        context.HandleCodeRedemption(new OpenIdConnectMessage(body));
    }
}
