namespace Bff.Configuration;

/// <summary>The <c>Bff</c> configuration section: everything the gateway needs besides YARP's routes.</summary>
public sealed class BffOptions
{
    public const string SectionName = "Bff";

    public BffOidcOptions Oidc { get; set; } = new();
    public BffRedisOptions Redis { get; set; } = new();
    public BffCookieOptions Cookie { get; set; } = new();
    public BffSessionOptions Session { get; set; } = new();
    public BffTokenOptions Tokens { get; set; } = new();
    public BffSweeperOptions Sweeper { get; set; } = new();
    public BffFrontendOptions Frontend { get; set; } = new();
    public BffProxyOptions Proxy { get; set; } = new();
    public BffTelemetryOptions Telemetry { get; set; } = new();
    public BffForwardedHeadersOptions ForwardedHeaders { get; set; } = new();

    /// <summary>
    /// Origins besides the gateway's own (<c>https://app.example.com</c>) whose pages may open WebSockets and event
    /// streams on user routes: such requests cannot carry <c>X-CSRF</c>, so their <c>Origin</c> is checked instead.
    /// </summary>
    public List<string> AllowedOrigins { get; set; } = [];

    /// <summary>
    /// A path the gateway is served under (<c>/app</c>), when the proxy in front forwards it unchanged: sign-in
    /// callbacks, redirects and <c>/bff/user</c>'s logout URL include it. Empty: served at the root.
    /// </summary>
    public string PathBase { get; set; } = "";
}
