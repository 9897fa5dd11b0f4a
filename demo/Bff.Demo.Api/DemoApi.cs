using Microsoft.AspNetCore.Authentication.JwtBearer;

namespace Bff.Demo.Api;

/// <summary>
/// The sample API behind the gateway: it validates the bearer token against the provider and answers who
/// called it, and what the gateway forwarded (so tests can see that no cookie reached it).
/// </summary>
public static class DemoApi
{
    public static WebApplication Build(string urls, string authority, string[]? args = null, LogLevel minimumLogLevel = LogLevel.Information)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args ?? [], ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.UseUrls(urls);
        // Last source wins: quiets every category, whatever appsettings.json sits in the content root.
        builder.Configuration.AddInMemoryCollection([new("Logging:LogLevel:Default", minimumLogLevel.ToString()),
            new("Logging:LogLevel:Microsoft", minimumLogLevel.ToString()), new("Logging:LogLevel:Microsoft.AspNetCore", minimumLogLevel.ToString()), new("Logging:LogLevel:OpenIddict", minimumLogLevel.ToString())]);
        builder.Services.AddSingleton<UpstreamLog>();
        builder.Services.AddSingleton<UpstreamRejections>();
        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(options =>
        {
            options.Authority = authority;
            options.RequireHttpsMetadata = authority.StartsWith("https://", StringComparison.Ordinal);
            options.MapInboundClaims = false;
            // OpenIddict issues access tokens without an audience unless resources are requested.
            options.TokenValidationParameters.ValidateAudience = false;
            // The gateway refreshes a little before expiry; no extra leeway here keeps tests honest.
            options.TokenValidationParameters.ClockSkew = TimeSpan.Zero;
        });
        builder.Services.AddAuthorization();

        var app = builder.Build();
        app.Use(async (context, next) =>
        {
            context.RequestServices.GetRequiredService<UpstreamLog>().Record(context.Request);
            if (context.RequestServices.GetRequiredService<UpstreamRejections>().IsRejected(context.Request.Headers.Authorization.ToString()))
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                await context.Response.WriteAsync("token rejected by the API");
                return;
            }

            await next();
        });
        app.UseAuthentication();
        app.UseAuthorization();

        app.MapGet("/api/whoami", (HttpContext context) => Results.Json(new
        {
            sub = context.User.FindFirst("sub")?.Value,
            name = context.User.FindFirst("name")?.Value,
            tokenExpiresAt = context.User.FindFirst("exp")?.Value,
            cookieHeaderPresent = context.Request.Headers.ContainsKey("Cookie"),
        })).RequireAuthorization();
        app.MapPost("/api/echo", async (HttpContext context) =>
        {
            using var reader = new StreamReader(context.Request.Body);
            return Results.Json(new { sub = context.User.FindFirst("sub")?.Value, body = await reader.ReadToEndAsync() });
        }).RequireAuthorization();
        app.MapGet("/api/public", () => Results.Json(new { message = "anyone may read this" }));
        return app;
    }
}
