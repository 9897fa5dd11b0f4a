using Bff.Configuration;
using Bff.Diagnostics;
using Bff.Endpoints;
using Bff.Proxy;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;

namespace Bff.Hosting;

/// <summary>Maps the gateway's HTTP surface (DESIGN.md "HTTP surface").</summary>
public static class BffApplicationExtensions
{
    /// <summary>Adds the session middleware, the <c>/bff/*</c> endpoints, health endpoints, static frontend and the proxy.</summary>
    public static WebApplication MapBff(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<BffOptions>>().Value;
        if (options.Redis.Enabled)
        {
            Log.RedisStoreInUse(app.Logger, options.Redis.KeyPrefix);
        }
        else
        {
            Log.InMemoryStoreInUse(app.Logger);
        }

        if (!string.IsNullOrWhiteSpace(options.Frontend.Path))
        {
            var files = new PhysicalFileProvider(options.Frontend.ResolvePath(app.Environment.ContentRootPath));
            app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
            app.UseStaticFiles(new StaticFileOptions { FileProvider = files });
        }

        // Runs the OIDC handler on /signin-oidc and /signout-callback-oidc; nothing else is authenticated here.
        app.UseAuthentication();

        app.MapGet("/bff/login", LoginEndpoint.HandleAsync);
        app.MapMethods("/bff/logout", [HttpMethods.Get, HttpMethods.Post], LogoutEndpoint.HandleAsync);
        app.MapGet("/bff/user", UserEndpoint.HandleAsync);
        app.MapPost("/bff/backchannel-logout", BackchannelLogoutEndpoint.HandleAsync).DisableAntiforgery();
        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready") });
        app.MapReverseProxy(proxy => proxy.UseMiddleware<BffProxyMiddleware>());
        return app;
    }
}
