using Bff.Configuration;
using Bff.Diagnostics;
using Bff.Endpoints;
using Bff.Proxy;
using Bff.Web;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;

namespace Bff.Hosting;

/// <summary>Maps the gateway's HTTP surface (DESIGN.md "HTTP surface").</summary>
public static class BffApplicationExtensions
{
    /// <summary>Adds the session middleware, the <c>/bff/*</c> endpoints, health endpoints, static frontend and the proxy.</summary>
    public static WebApplication MapBff(this WebApplication app)
    {
        if (!SessionStoreServices.IsRegistered(app.Services))
        {
            throw new InvalidOperationException("The gateway has no session store: call AddSessionStore() on the builder AddBff returns.");
        }

        var options = app.Services.GetRequiredService<IOptions<BffOptions>>().Value;
        if (options.Redis.Enabled)
        {
            Log.RedisStoreInUse(app.Logger, options.Redis.KeyPrefix);
        }
        else
        {
            Log.InMemoryStoreInUse(app.Logger);
        }

        UseProxyEdge(app, options);
        if (!string.IsNullOrWhiteSpace(options.Frontend.Path))
        {
            var files = new PhysicalFileProvider(options.Frontend.ResolvePath(app.Environment.ContentRootPath));
            app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
            app.UseStaticFiles(new StaticFileOptions { FileProvider = files });
        }

        UseAuthenticationOnOidcPathsOnly(app);

        app.MapGet("/bff/login", LoginEndpoint.HandleAsync);
        app.MapMethods("/bff/logout", [HttpMethods.Get, HttpMethods.Post], LogoutEndpoint.HandleAsync);
        app.MapGet("/bff/user", UserEndpoint.HandleAsync);
        app.MapPost("/bff/backchannel-logout", BackchannelLogoutEndpoint.HandleAsync).DisableAntiforgery();
        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready") });
        // A custom YARP pipeline replaces the default one: the policy step first (a refused request is not
        // balanced or counted), then YARP's own steps, so clusters' affinity, load-balancing and passive
        // health-check settings still apply.
        app.MapReverseProxy(proxy =>
        {
            proxy.UseMiddleware<BffProxyMiddleware>();
            proxy.UseSessionAffinity();
            proxy.UseLoadBalancing();
            proxy.UsePassiveHealthChecks();
        });
        return app;
    }

    /// <summary>
    /// What the proxy in front says, before anything reads the request: the client's address, scheme and host
    /// from trusted proxies only (<c>Bff:ForwardedHeaders</c>; with none configured, from nobody), then the path
    /// base. Behind TLS termination this is what makes the OIDC redirect URI https and cookies Secure.
    /// </summary>
    private static void UseProxyEdge(WebApplication app, BffOptions options)
    {
        if (options.ForwardedHeaders.IsEnabled)
        {
            var forwarded = new ForwardedHeadersOptions
            {
                ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost,
                // Walk back through every trusted proxy (an ingress behind a cloud load balancer), stopping at the
                // first address that is not one.
                ForwardLimit = null,
            };
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
            foreach (var proxy in options.ForwardedHeaders.Proxies)
            {
                forwarded.KnownProxies.Add(proxy);
            }

            foreach (var network in options.ForwardedHeaders.Networks)
            {
                forwarded.KnownIPNetworks.Add(network);
            }

            app.UseForwardedHeaders(forwarded);
        }

        if (options.PathBase.Length > 0)
        {
            app.UsePathBase(options.PathBase);
        }
    }

    /// <summary>
    /// The authentication middleware exists here only to run the OIDC handler on its callback paths; nothing
    /// else is authenticated through it (sessions are resolved by the gateway itself). Run everywhere, it
    /// builds an OIDC handler per request and was a fifth of the cost of a proxied request (bench/RESULTS.md).
    /// WebApplication adds the authentication and authorization middlewares on its own unless told they are
    /// set; if these keys ever change, it adds them again: slower, still correct (and a YARP route with an
    /// AuthorizationPolicy then fails closed, as it does without them: the gateway does not use one).
    /// <c>AuthenticationMiddlewareTests</c> fails when the framework stops honouring the key.
    /// </summary>
    private static void UseAuthenticationOnOidcPathsOnly(WebApplication app)
    {
        var oidc = app.Services.GetRequiredService<IOptionsMonitor<OpenIdConnectOptions>>().Get(OpenIdConnectDefaults.AuthenticationScheme);
        PathString[] paths = [oidc.CallbackPath, oidc.SignedOutCallbackPath, oidc.RemoteSignOutPath];
        var builder = (IApplicationBuilder)app;
        builder.Properties["__AuthenticationMiddlewareSet"] = true;
        builder.Properties["__AuthorizationMiddlewareSet"] = true;
        app.UseWhen(context => IsOneOf(context.Request.Path, paths), branch => branch.UseAuthentication());
    }

    // Runs on every request: a plain loop, no closure to allocate.
    private static bool IsOneOf(PathString path, PathString[] paths)
    {
        foreach (var candidate in paths)
        {
            if (candidate.HasValue && path.Equals(candidate, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
