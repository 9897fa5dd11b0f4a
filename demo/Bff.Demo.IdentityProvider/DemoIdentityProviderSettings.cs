namespace Bff.Demo.IdentityProvider;

/// <summary>How a demo provider instance behaves. Defaults suit the demo; tests shorten lifetimes.</summary>
public sealed class DemoIdentityProviderSettings
{
    public string Urls { get; set; } = "http://localhost:5001";
    public string ClientId { get; set; } = "spa-bff";
    public string ClientSecret { get; set; } = "demo-secret";

    /// <summary>Gateway origins allowed to receive codes (their <c>/signin-oidc</c>) and logout redirects.</summary>
    public List<string> GatewayOrigins { get; set; } = ["http://localhost:5000"];

    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Zero: strict rotation (a reused refresh token is rejected and revokes the grant).</summary>
    public TimeSpan RefreshTokenReuseLeeway { get; set; } = TimeSpan.Zero;

    /// <summary>Added to every refresh-token grant: a slow provider, for tests and benchmarks.</summary>
    public TimeSpan RefreshDelay { get; set; }

    /// <summary>
    /// The APIs (RFC 8707 resources) the gateway may ask tokens for; each access token's <c>aud</c> is the one it
    /// was asked for. An unknown resource gets <c>invalid_target</c>. (The sample API serves these same three: <c>DemoApi.Resources</c>.)
    /// </summary>
    public List<string> Resources { get; set; } = ["https://api.demo.example/orders", "https://api.demo.example/billing", "https://api.demo.example/catalog"];

    public LogLevel MinimumLogLevel { get; set; } = LogLevel.Information;

    /// <summary>Demo users: name to password.</summary>
    public Dictionary<string, string> Users { get; set; } = new() { ["alice"] = "alice" };
}
