using Microsoft.Extensions.Options;

namespace Bff.Configuration;

/// <summary>Fails start-up on a configuration the gateway cannot run safely with, naming the key and the fix.</summary>
internal sealed class BffOptionsValidator(IHostEnvironment environment) : IValidateOptions<BffOptions>
{
    public ValidateOptionsResult Validate(string? name, BffOptions options)
    {
        var failures = new List<string>();
        ValidateOidc(options.Oidc, failures);
        ValidateCookie(options.Cookie, failures);
        ValidateLifetimes(options, failures);
        ValidateFrontend(options.Frontend, failures);
        ValidateRefreshRequest(options.Tokens.RefreshRequest, failures);
        ValidateTelemetry(options.Telemetry, failures);
        ValidateEdge(options, failures);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void ValidateEdge(BffOptions options, List<string> failures)
    {
        var forwarded = options.ForwardedHeaders;
        for (var i = 0; i < forwarded.KnownProxies.Count; i++)
        {
            if (!System.Net.IPAddress.TryParse(forwarded.KnownProxies[i], out _))
            {
                failures.Add($"Bff:ForwardedHeaders:KnownProxies:{i} '{forwarded.KnownProxies[i]}' is not an IP address (e.g. 10.0.0.12; a network goes in KnownNetworks).");
            }
        }

        for (var i = 0; i < forwarded.KnownNetworks.Count; i++)
        {
            if (!System.Net.IPNetwork.TryParse(forwarded.KnownNetworks[i], out _))
            {
                failures.Add($"Bff:ForwardedHeaders:KnownNetworks:{i} '{forwarded.KnownNetworks[i]}' is not a network in CIDR form (e.g. 10.0.0.0/8).");
            }
        }

        for (var i = 0; i < options.AllowedOrigins.Count; i++)
        {
            var origin = options.AllowedOrigins[i];
            if (!(Uri.TryCreate(origin, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.AbsolutePath == "/"
                && string.IsNullOrEmpty(uri.Query) && string.IsNullOrEmpty(uri.Fragment) && !origin.TrimEnd('/').EndsWith('/')))
            {
                failures.Add($"Bff:AllowedOrigins:{i} '{origin}' is not an origin: use scheme://host[:port], such as https://app.example.com.");
            }
        }

        var pathBase = options.PathBase;
        if (pathBase.Length > 0 && (pathBase[0] != '/' || pathBase.EndsWith('/') || pathBase.Contains("//", StringComparison.Ordinal)
            || pathBase.Any(c => char.IsControl(c) || c is '?' or '#' or '%' or '\\')))
        {
            failures.Add($"Bff:PathBase '{pathBase}' must be a path such as /app: starting with '/', without a trailing '/', query, fragment or escapes.");
        }
    }

    private static void ValidateTelemetry(BffTelemetryOptions telemetry, List<string> failures)
    {
        if (!string.IsNullOrWhiteSpace(telemetry.OtlpEndpoint)
            && !(Uri.TryCreate(telemetry.OtlpEndpoint, UriKind.Absolute, out var endpoint) && endpoint.Scheme is "http" or "https"))
        {
            failures.Add($"Bff:Telemetry:OtlpEndpoint '{telemetry.OtlpEndpoint}' is not an absolute http(s) URL (e.g. http://otel-collector:4317).");
        }

        if (!Enum.TryParse<OpenTelemetry.Exporter.OtlpExportProtocol>(telemetry.OtlpProtocol, ignoreCase: true, out _))
        {
            failures.Add($"Bff:Telemetry:OtlpProtocol '{telemetry.OtlpProtocol}' must be Grpc or HttpProtobuf.");
        }

        if (string.IsNullOrWhiteSpace(telemetry.ServiceName))
        {
            failures.Add("Bff:Telemetry:ServiceName must not be empty.");
        }
    }

    /// <summary>Authorization request parameters the gateway sets itself: not to be overridden from configuration.</summary>
    private static readonly HashSet<string> ProtocolParameters = new(StringComparer.OrdinalIgnoreCase)
    {
        "client_id", "redirect_uri", "response_type", "response_mode", "scope", "state", "nonce", "code_challenge",
        "code_challenge_method", "prompt", "request", "request_uri",
    };

    private static void ValidateOidc(BffOidcOptions oidc, List<string> failures)
    {
        if (oidc.Prompt is { Length: > 0 } prompt && prompt.Split(' ').Any(p => p is not ("none" or "login" or "consent" or "select_account")))
        {
            failures.Add($"Bff:Oidc:Prompt '{prompt}' is not a space-separated list of none, login, consent, select_account (OpenID Connect Core §3.1.2.1).");
        }

        foreach (var (name, value) in oidc.AuthorizeParameters)
        {
            if (ProtocolParameters.Contains(name))
            {
                failures.Add($"Bff:Oidc:AuthorizeParameters:{name} is set by the gateway itself (use Bff:Oidc:Prompt or Bff:Oidc:Scopes where they apply).");
            }
            else if (value.Any(char.IsControl))
            {
                failures.Add($"Bff:Oidc:AuthorizeParameters:{name} contains control characters.");
            }
        }

        if (oidc.ClientAuthentication is not ("auto" or "client_secret_post" or "client_secret_basic"))
        {
            failures.Add($"Bff:Oidc:ClientAuthentication '{oidc.ClientAuthentication}' must be auto, client_secret_post or client_secret_basic.");
        }

        if (string.IsNullOrWhiteSpace(oidc.Authority))
        {
            failures.Add("Bff:Oidc:Authority is missing: set it to the identity provider's issuer URL (e.g. https://idp.example.com).");
        }
        else if (!Uri.TryCreate(oidc.Authority, UriKind.Absolute, out var authority)
                 || authority.Scheme is not ("https" or "http"))
        {
            failures.Add($"Bff:Oidc:Authority '{oidc.Authority}' is not an absolute http(s) URL.");
        }
        else if (authority.Scheme == "http" && oidc.RequireHttpsMetadata)
        {
            failures.Add("Bff:Oidc:Authority uses http while Bff:Oidc:RequireHttpsMetadata is true: use https, or set RequireHttpsMetadata=false for a lab provider.");
        }

        if (string.IsNullOrWhiteSpace(oidc.ClientId))
        {
            failures.Add("Bff:Oidc:ClientId is missing: set it to the client id registered for this gateway at the provider.");
        }

        if (oidc.Scopes.Count > 0 && !oidc.Scopes.Contains("openid"))
        {
            failures.Add("Bff:Oidc:Scopes must contain 'openid'.");
        }
    }

    private void ValidateCookie(BffCookieOptions cookie, List<string> failures)
    {
        if (string.IsNullOrWhiteSpace(cookie.Name) || cookie.Name.Any(c => !IsCookieNameChar(c)))
        {
            failures.Add($"Bff:Cookie:Name '{cookie.Name}' is not a valid cookie name.");
        }
        else if (!cookie.Name.StartsWith("__Host-", StringComparison.Ordinal) && !environment.IsDevelopment())
        {
            failures.Add($"Bff:Cookie:Name '{cookie.Name}' must start with '__Host-' so the browser pins it to this origin (Secure, Path=/, no Domain).");
        }

        if (cookie.SameSite is SameSiteMode.None or SameSiteMode.Unspecified)
        {
            failures.Add("Bff:Cookie:SameSite must be Strict or Lax: the session cookie must not travel on cross-site requests.");
        }
    }

    private static void ValidateLifetimes(BffOptions options, List<string> failures)
    {
        RequirePositive(options.Session.IdleTimeout, "Bff:Session:IdleTimeout", failures);
        RequirePositive(options.Session.AbsoluteTimeout, "Bff:Session:AbsoluteTimeout", failures);
        RequirePositive(options.Session.CacheMaxAge, "Bff:Session:CacheMaxAge", failures);
        if (options.Session.CacheSize < 0)
        {
            failures.Add($"Bff:Session:CacheSize must be 0 (off) or a positive number of sessions, not {options.Session.CacheSize}.");
        }

        RequirePositive(options.Tokens.IdpTimeout, "Bff:Tokens:IdpTimeout", failures);
        if (options.Tokens.IdpCallLimit < options.Tokens.IdpTimeout)
        {
            failures.Add($"Bff:Tokens:IdpCallLimit ({options.Tokens.IdpCallLimit}) must be at least Bff:Tokens:IdpTimeout ({options.Tokens.IdpTimeout}): the call that rotates the refresh token must outlive the requests waiting for it.");
        }

        RequirePositive(options.Tokens.FailureBackoff, "Bff:Tokens:FailureBackoff", failures);
        if (options.Tokens.MaxFailureBackoff < options.Tokens.FailureBackoff)
        {
            failures.Add($"Bff:Tokens:MaxFailureBackoff ({options.Tokens.MaxFailureBackoff}) must be at least Bff:Tokens:FailureBackoff ({options.Tokens.FailureBackoff}).");
        }

        RequirePositive(options.Sweeper.Interval, "Bff:Sweeper:Interval", failures);
        if (options.Tokens.RefreshBeforeExpiry < TimeSpan.Zero)
        {
            failures.Add("Bff:Tokens:RefreshBeforeExpiry must not be negative.");
        }

        if (options.Proxy.MaxReplayBodyBytes is < 0 or > 16 * 1024 * 1024)
        {
            failures.Add("Bff:Proxy:MaxReplayBodyBytes must be between 0 and 16777216 (16 MiB).");
        }

        if (options.Redis.ScheduleBuckets is < 1 or > 1024)
        {
            failures.Add($"Bff:Redis:ScheduleBuckets must be between 1 and 1024 (16 by default), not {options.Redis.ScheduleBuckets}.");
        }

        if (options.Redis.KeyPrefix.IndexOfAny(['{', '}']) >= 0)
        {
            failures.Add($"Bff:Redis:KeyPrefix '{options.Redis.KeyPrefix}' must not contain '{{' or '}}': the gateway puts its own hash tags in its keys (Redis Cluster slots).");
        }

        if (options.Sweeper.MaxConcurrency < 1)
        {
            failures.Add("Bff:Sweeper:MaxConcurrency must be at least 1.");
        }
    }

    private void ValidateFrontend(BffFrontendOptions frontend, List<string> failures)
    {
        if (!string.IsNullOrWhiteSpace(frontend.Path)
            && !Directory.Exists(frontend.ResolvePath(environment.ContentRootPath)))
        {
            failures.Add($"Bff:Frontend:Path '{frontend.Path}' is not an existing folder: point it at the SPA's build output or leave it empty.");
        }
    }

    private static void ValidateRefreshRequest(BffRefreshRequestOptions refresh, List<string> failures)
    {
        if (!Enum.IsDefined(refresh.Format))
        {
            failures.Add("Bff:Tokens:RefreshRequest:Format must be Form or Json.");
        }

        if (string.IsNullOrWhiteSpace(refresh.Endpoint))
        {
            if (refresh.Format == RefreshRequestFormat.Json)
            {
                failures.Add("Bff:Tokens:RefreshRequest:Endpoint is required when Format is Json (e.g. https://<project>.supabase.co/auth/v1/token?grant_type=refresh_token).");
            }
        }
        else if (!Uri.TryCreate(refresh.Endpoint, UriKind.Absolute, out var endpoint) || endpoint.Scheme is not ("https" or "http"))
        {
            failures.Add($"Bff:Tokens:RefreshRequest:Endpoint '{refresh.Endpoint}' is not an absolute http(s) URL.");
        }
    }

    private static void RequirePositive(TimeSpan value, string key, List<string> failures)
    {
        if (value <= TimeSpan.Zero)
        {
            failures.Add($"{key} must be a positive duration (e.g. 00:00:10), got {value}.");
        }
    }

    // RFC 6265 §4.1.1: a cookie name is an RFC 2616 token.
    private static bool IsCookieNameChar(char c) =>
        char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c);
}
