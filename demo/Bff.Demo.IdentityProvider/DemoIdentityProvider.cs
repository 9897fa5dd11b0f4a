using System.Security.Claims;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Bff.Demo.IdentityProvider;

/// <summary>
/// A real OpenID Connect provider for the demo and the tests, built on OpenIddict: authorization code with
/// PKCE, rolling refresh tokens with reuse leeway 0 (strict rotation), revocation, end session, and a login
/// form. Not part of the gateway; nothing in <c>src/Bff</c> depends on it.
/// </summary>
public static class DemoIdentityProvider
{
    public static WebApplication Build(DemoIdentityProviderSettings settings, string[]? args = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args ?? [], ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.UseUrls(settings.Urls);
        // Last source wins: quiets every category, whatever appsettings.json sits in the content root.
        builder.Configuration.AddInMemoryCollection([new("Logging:LogLevel:Default", settings.MinimumLogLevel.ToString()),
            new("Logging:LogLevel:Microsoft", settings.MinimumLogLevel.ToString()), new("Logging:LogLevel:Microsoft.AspNetCore", settings.MinimumLogLevel.ToString()), new("Logging:LogLevel:OpenIddict", settings.MinimumLogLevel.ToString())]);
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton<TokenRequestLog>();

        // A file, not one shared in-memory connection: concurrent refreshes each open their own connection.
        var databasePath = Path.Combine(Path.GetTempPath(), $"bff-demo-idp-{Guid.NewGuid():N}.db");
        builder.Services.AddDbContext<DemoIdpDbContext>(options =>
        {
            options.UseSqlite($"Data Source={databasePath};Pooling=false");
            options.UseOpenIddict();
        });

        builder.Services.AddAuthentication(LoginPage.Scheme).AddCookie(LoginPage.Scheme, options =>
        {
            options.Cookie.Name = "demo-idp";
            options.LoginPath = "/account/login";
        });

        builder.Services.AddOpenIddict()
            .AddCore(options => options.UseEntityFrameworkCore().UseDbContext<DemoIdpDbContext>())
            .AddServer(options =>
            {
                options.SetAuthorizationEndpointUris("connect/authorize")
                    .SetTokenEndpointUris("connect/token")
                    .SetEndSessionEndpointUris("connect/endsession")
                    .SetRevocationEndpointUris("connect/revoke");
                options.AllowAuthorizationCodeFlow().AllowRefreshTokenFlow().AllowClientCredentialsFlow().RequireProofKeyForCodeExchange();
                options.RegisterScopes(Scopes.OpenId, Scopes.Profile, Scopes.OfflineAccess, "api");
                options.RegisterResources([.. settings.Resources]);
                options.SetAccessTokenLifetime(settings.AccessTokenLifetime);
                options.SetRefreshTokenReuseLeeway(settings.RefreshTokenReuseLeeway);
                options.AddEphemeralEncryptionKey().AddEphemeralSigningKey();
                // Plain JWT access tokens, so the sample API can validate them with JwtBearer.
                options.DisableAccessTokenEncryption();
                options.UseAspNetCore()
                    .EnableAuthorizationEndpointPassthrough()
                    .EnableTokenEndpointPassthrough()
                    .EnableEndSessionEndpointPassthrough()
                    .DisableTransportSecurityRequirement();
            });

        var app = builder.Build();
        app.Lifetime.ApplicationStopped.Register(() => DeleteQuietly(databasePath));
        app.Use(RecordIssuedTokensAsync);
        app.Use(RecordRefreshRequestsAsync);
        app.UseAuthentication();

        app.MapGet("/account/login", (string? returnUrl) => LoginPage.Show(returnUrl));
        app.MapPost("/account/login", LoginPage.SubmitAsync).DisableAntiforgery();
        app.MapMethods("/connect/authorize", [HttpMethods.Get, HttpMethods.Post], (Func<HttpContext, Task<IResult>>)AuthorizeAsync);
        app.MapPost("/connect/token", (Func<HttpContext, Task<IResult>>)ExchangeAsync);
        app.MapMethods("/connect/endsession", [HttpMethods.Get, HttpMethods.Post], (Func<HttpContext, Task<IResult>>)EndSessionAsync);
        app.MapGet("/", () => Results.Text("Demo identity provider. Discovery: /.well-known/openid-configuration"));
        return app;
    }

    /// <summary>Creates the database and the gateway's client registration. Call before serving requests.</summary>
    public static async Task InitializeAsync(WebApplication app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<DemoIdpDbContext>().Database.EnsureCreatedAsync();
        // Builds the server options now (ephemeral RSA keys included) rather than inside the first request,
        // which on a loaded 2-core machine took longer than a client's timeout.
        _ = scope.ServiceProvider.GetRequiredService<IOptionsMonitor<OpenIddictServerOptions>>().CurrentValue;
        var settings = scope.ServiceProvider.GetRequiredService<DemoIdentityProviderSettings>();
        var descriptor = new OpenIddictApplicationDescriptor
        {
            ClientId = settings.ClientId,
            ClientSecret = settings.ClientSecret,
            ClientType = ClientTypes.Confidential,
            ConsentType = ConsentTypes.Implicit,
            DisplayName = "BFF gateway",
            Permissions =
            {
                Permissions.Endpoints.Authorization, Permissions.Endpoints.Token, Permissions.Endpoints.EndSession,
                Permissions.Endpoints.Revocation, Permissions.GrantTypes.AuthorizationCode, Permissions.GrantTypes.RefreshToken,
                Permissions.GrantTypes.ClientCredentials,
                Permissions.ResponseTypes.Code, Permissions.Scopes.Profile, Permissions.Prefixes.Scope + "api",
            },
            Requirements = { Requirements.Features.ProofKeyForCodeExchange },
        };
        foreach (var resource in settings.Resources)
        {
            descriptor.Permissions.Add(Permissions.Prefixes.Resource + resource);
        }

        foreach (var origin in settings.GatewayOrigins)
        {
            AddGatewayOrigin(descriptor, origin);
        }

        await scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>().CreateAsync(descriptor);
    }

    /// <summary>Registers one more gateway origin (a gateway on a port chosen at start-up).</summary>
    public static async Task AddGatewayOriginAsync(WebApplication app, string origin)
    {
        await RegistrationUpdates.WaitAsync();
        try
        {
            await using var scope = app.Services.CreateAsyncScope();
            var manager = scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>();
            var settings = scope.ServiceProvider.GetRequiredService<DemoIdentityProviderSettings>();
            var application = await manager.FindByClientIdAsync(settings.ClientId)
                ?? throw new InvalidOperationException("Call InitializeAsync first.");
            var descriptor = new OpenIddictApplicationDescriptor();
            await manager.PopulateAsync(descriptor, application);
            AddGatewayOrigin(descriptor, origin);
            await manager.UpdateAsync(application, descriptor);
        }
        finally
        {
            RegistrationUpdates.Release();
        }
    }

    private static readonly SemaphoreSlim RegistrationUpdates = new(1, 1);

    private static void AddGatewayOrigin(OpenIddictApplicationDescriptor descriptor, string origin)
    {
        descriptor.RedirectUris.Add(new Uri($"{origin.TrimEnd('/')}/signin-oidc"));
        descriptor.PostLogoutRedirectUris.Add(new Uri($"{origin.TrimEnd('/')}/signout-callback-oidc"));
    }

    /// <summary>Revokes every token of a user, as an administrator would: the next refresh gets invalid_grant.</summary>
    public static async Task RevokeUserTokensAsync(WebApplication app, string subject)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var tokens = scope.ServiceProvider.GetRequiredService<IOpenIddictTokenManager>();
        await foreach (var token in tokens.FindBySubjectAsync(subject))
        {
            await tokens.TryRevokeAsync(token);
        }
    }

    /// <summary>Keeps a copy of every token the token endpoint hands out (see <see cref="TokenRequestLog.IssuedTokens"/>).</summary>
    private static async Task RecordIssuedTokensAsync(HttpContext context, Func<Task> next)
    {
        if (context.Request.Path != "/connect/token")
        {
            await next();
            return;
        }

        var original = context.Response.Body;
        using var buffer = new MemoryStream();
        context.Response.Body = buffer;
        try
        {
            await next();
        }
        finally
        {
            context.Response.Body = original;
        }

        if (context.Response.StatusCode == StatusCodes.Status200OK)
        {
            using var answer = System.Text.Json.JsonDocument.Parse(buffer.ToArray());
            var log = context.RequestServices.GetRequiredService<TokenRequestLog>();
            foreach (var name in new[] { "access_token", "refresh_token", "id_token" })
            {
                if (answer.RootElement.TryGetProperty(name, out var token) && token.GetString() is { } value)
                {
                    log.Issued(value);
                }
            }
        }

        buffer.Position = 0;
        await buffer.CopyToAsync(original);
    }

    private static async Task RecordRefreshRequestsAsync(HttpContext context, Func<Task> next)
    {
        if (context.Request.Path != "/connect/token" || !HttpMethods.IsPost(context.Request.Method) || !context.Request.HasFormContentType)
        {
            await next();
            return;
        }

        var form = await context.Request.ReadFormAsync();
        if (form["grant_type"] == GrantTypes.ClientCredentials)
        {
            context.RequestServices.GetRequiredService<TokenRequestLog>().ClientCredentialsRequested();
        }

        if (form["grant_type"] != GrantTypes.RefreshToken)
        {
            await next();
            return;
        }

        var log = context.RequestServices.GetRequiredService<TokenRequestLog>();
        log.RefreshStarted(form["refresh_token"].ToString());
        try
        {
            if (context.RequestServices.GetRequiredService<DemoIdentityProviderSettings>().RefreshDelay is { Ticks: > 0 } delay)
            {
                await Task.Delay(delay);
            }

            await next();
        }
        finally
        {
            log.RefreshFinished(context.Response.StatusCode == StatusCodes.Status200OK);
        }
    }

    private static async Task<IResult> AuthorizeAsync(HttpContext context)
    {
        var request = context.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("Not an OpenID Connect request.");
        var login = await context.AuthenticateAsync(LoginPage.Scheme);
        if (!login.Succeeded || login.Principal.Identity?.Name is not { } user)
        {
            var parameters = context.Request.HasFormContentType ? context.Request.Form.ToList() : context.Request.Query.ToList();
            var returnUrl = context.Request.Path + QueryString.Create(parameters);
            return Results.Redirect($"/account/login?returnUrl={Uri.EscapeDataString(returnUrl)}");
        }

        var identity = new ClaimsIdentity(authenticationType: "demo", nameType: Claims.Name, roleType: Claims.Role);
        identity.SetClaim(Claims.Subject, user).SetClaim(Claims.Name, user).SetClaim(Claims.Email, $"{user}@example.com");
        identity.SetScopes(request.GetScopes());
        identity.SetDestinations(static _ => [Destinations.AccessToken, Destinations.IdentityToken]);
        return Results.SignIn(new ClaimsPrincipal(identity), properties: null, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    /// <summary>
    /// The token endpoint, after OpenIddict has validated the request (code, refresh token and its rotation,
    /// client, requested resources and scopes). Each access token is for the resources asked for in this very
    /// request (RFC 8707 §2.2: its <c>aud</c>), so each API can refuse a token meant for another; a scope asked for
    /// narrows the token's scopes. Client credentials give the client's own token (subject: the client id).
    /// </summary>
    private static async Task<IResult> ExchangeAsync(HttpContext context)
    {
        var request = context.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("Not an OpenID Connect request.");
        ClaimsPrincipal principal;
        if (request.IsClientCredentialsGrantType())
        {
            var identity = new ClaimsIdentity(authenticationType: "demo-client", nameType: Claims.Name, roleType: Claims.Role);
            identity.SetClaim(Claims.Subject, request.ClientId).SetClaim(Claims.Name, request.ClientId);
            principal = new ClaimsPrincipal(identity);
        }
        else
        {
            var result = await context.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
            principal = result.Principal ?? throw new InvalidOperationException("OpenIddict validated a grant without a principal.");
        }

        principal.SetResources(request.GetResources());
        if (!string.IsNullOrEmpty(request.Scope) || request.IsClientCredentialsGrantType())
        {
            principal.SetScopes(request.GetScopes());
        }

        principal.SetDestinations(static _ => [Destinations.AccessToken, Destinations.IdentityToken]);
        return Results.SignIn(principal, properties: null, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    private static async Task<IResult> EndSessionAsync(HttpContext context)
    {
        await context.SignOutAsync(LoginPage.Scheme);
        return Results.SignOut(new AuthenticationProperties { RedirectUri = "/" }, [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
    }

    private static void DeleteQuietly(string path)
    {
        foreach (var file in new[] { path, path + "-shm", path + "-wal" })
        {
            try
            {
                File.Delete(file);
            }
            catch (IOException)
            {
            }
        }
    }
}
