using System.Net.WebSockets;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;

namespace Bff.Demo.Api;

/// <summary>
/// The sample API behind the gateway: it validates the bearer token against the provider and answers who
/// called it, and what the gateway forwarded (so tests can see that no cookie reached it). Beside it, one small
/// API per resource (<c>/orders/whoami</c> for <c>https://api.demo.example/orders</c>) that accepts only tokens
/// whose audience is that resource: a token meant for another API gets 401. Live connections: a WebSocket, an event
/// stream and a SignalR hub (<see cref="MessagesHub"/>).
/// </summary>
public static class DemoApi
{
    /// <summary>The resources served, as the demo provider knows them; each is served under its last path segment.</summary>
    public static readonly string[] Resources = ["https://api.demo.example/orders", "https://api.demo.example/billing", "https://api.demo.example/catalog"];

    /// <summary>Where the API for <paramref name="resource"/> is served: <c>/orders</c> for <c>…/orders</c>.</summary>
    public static string PathOf(string resource) => "/" + new Uri(resource).Segments[^1].Trim('/');

    public static WebApplication Build(string urls, string authority, string[]? args = null, LogLevel minimumLogLevel = LogLevel.Information)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args ?? [], ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.UseUrls(urls);
        // Last source wins: quiets every category, whatever appsettings.json sits in the content root.
        builder.Configuration.AddInMemoryCollection([new("Logging:LogLevel:Default", minimumLogLevel.ToString()),
            new("Logging:LogLevel:Microsoft", minimumLogLevel.ToString()), new("Logging:LogLevel:Microsoft.AspNetCore", minimumLogLevel.ToString()), new("Logging:LogLevel:OpenIddict", minimumLogLevel.ToString())]);
        builder.Services.AddSingleton<UpstreamLog>();
        builder.Services.AddSingleton<UpstreamRejections>();
        var authentication = builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(options =>
        {
            ValidateAgainst(options, authority);
            // OpenIddict issues access tokens without an audience unless resources are requested.
            options.TokenValidationParameters.ValidateAudience = false;
        });
        foreach (var resource in Resources)
        {
            authentication.AddJwtBearer(resource, options =>
            {
                ValidateAgainst(options, authority);
                options.TokenValidationParameters.ValidAudience = resource;
            });
        }

        builder.Services.AddAuthorization();
        builder.Services.AddSignalR();
        builder.Services.AddHostedService<MessageTicker>();

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
        app.UseWebSockets();
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
        // Live connections: a WebSocket that greets the caller, then echoes; an event stream of ticks.
        app.Map("/api/socket", SocketAsync).RequireAuthorization();
        app.MapGet("/api/events", EventsAsync).RequireAuthorization();
        app.MapHub<MessagesHub>(MessagesHub.Path).RequireAuthorization();
        foreach (var resource in Resources)
        {
            app.MapGet(PathOf(resource) + "/whoami", (HttpContext context) => Results.Json(new
            {
                api = resource,
                sub = context.User.FindFirst("sub")?.Value,
                aud = context.User.FindAll("aud").Select(claim => claim.Value).ToArray(),
            })).RequireAuthorization(new AuthorizationPolicyBuilder(resource).RequireAuthenticatedUser().Build());
        }

        return app;
    }

    private static async Task SocketAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var greeting = System.Text.Encoding.UTF8.GetBytes($"hello {context.User.FindFirst("sub")?.Value}");
        await socket.SendAsync(greeting, WebSocketMessageType.Text, endOfMessage: true, context.RequestAborted);
        var buffer = new byte[4096];
        while (socket.State == WebSocketState.Open)
        {
            var received = await socket.ReceiveAsync(buffer, context.RequestAborted);
            if (received.MessageType == WebSocketMessageType.Close)
            {
                await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
                break;
            }

            await socket.SendAsync(buffer.AsMemory(0, received.Count), received.MessageType, received.EndOfMessage, context.RequestAborted);
        }
    }

    private static async Task EventsAsync(HttpContext context)
    {
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-store";
        var subject = context.User.FindFirst("sub")?.Value;
        for (var tick = 1; !context.RequestAborted.IsCancellationRequested; tick++)
        {
            await context.Response.WriteAsync($"data: {subject} {tick}\n\n", context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
            await Task.Delay(200, context.RequestAborted);
        }
    }

    private static void ValidateAgainst(JwtBearerOptions options, string authority)
    {
        options.Authority = authority;
        options.RequireHttpsMetadata = authority.StartsWith("https://", StringComparison.Ordinal);
        options.MapInboundClaims = false;
        // The gateway refreshes a little before expiry; no extra leeway here keeps tests honest.
        options.TokenValidationParameters.ClockSkew = TimeSpan.Zero;
    }
}
