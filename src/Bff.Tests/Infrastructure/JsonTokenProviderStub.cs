using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Bff.Tests.Infrastructure;

/// <summary>
/// A Supabase GoTrue-style refresh endpoint on real Kestrel: <c>POST /auth/v1/token?grant_type=refresh_token</c>
/// with a JSON body, strict rotation (a spent token is refused with <c>refresh_token_already_used</c>). A token
/// it has never seen starts a new family, so sessions created by the OIDC login can move over to it.
/// </summary>
public sealed class JsonTokenProviderStub : IAsyncDisposable
{
    private readonly HashSet<string> _spent = [];
    private readonly object _gate = new();
    private WebApplication _app = null!;
    private int _issued;

    public int Calls;
    public int Reuses;

    /// <summary>Latency added to every refresh (a provider's round trip).</summary>
    public TimeSpan Latency { get; set; }

    /// <summary>The lifetime of the access tokens it issues (a benchmark lengthens it so none falls due twice).</summary>
    public TimeSpan IssuedLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>When each refresh token was redeemed, for benchmarks that compare it with the token's expiry.</summary>
    public System.Collections.Concurrent.ConcurrentDictionary<string, DateTimeOffset> RedeemedAt { get; } = new(StringComparer.Ordinal);

    public string Endpoint { get; private set; } = "";

    public static async Task<JsonTokenProviderStub> StartAsync()
    {
        var stub = new JsonTokenProviderStub();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        stub._app = builder.Build();
        stub._app.MapPost("/auth/v1/token", (Func<HttpContext, Task<IResult>>)stub.RefreshAsync);
        await Task.Run(() => stub._app.StartAsync());
        stub.Endpoint = $"{ProviderHost.Address(stub._app)}/auth/v1/token?grant_type=refresh_token";
        return stub;
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    private async Task<IResult> RefreshAsync(HttpContext context)
    {
        Interlocked.Increment(ref Calls);
        if (context.Request.Query["grant_type"] != "refresh_token" || context.Request.Headers["apikey"] != "anon-key")
        {
            return Results.Json(new { code = 400, error_code = "bad_request" }, statusCode: 400);
        }

        if (Latency > TimeSpan.Zero)
        {
            await Task.Delay(Latency);
        }

        using var body = await JsonDocument.ParseAsync(context.Request.Body);
        var presented = body.RootElement.GetProperty("refresh_token").GetString()!;
        RedeemedAt.TryAdd(presented, DateTimeOffset.UtcNow);
        lock (_gate)
        {
            if (!_spent.Add(presented))
            {
                Reuses++;
                return Results.Json(new { code = 400, error_code = "refresh_token_already_used", msg = "Invalid Refresh Token: Already Used" }, statusCode: 400);
            }
        }

        var n = Interlocked.Increment(ref _issued);
        return Results.Json(new { access_token = $"json-access-{n}", token_type = "bearer", expires_in = (int)IssuedLifetime.TotalSeconds, refresh_token = $"json-refresh-{n}" });
    }
}
