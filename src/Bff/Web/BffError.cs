namespace Bff.Web;

/// <summary>An error the gateway answers with, as <c>application/problem+json</c> (RFC 9457). The README lists them.</summary>
internal sealed record BffError(int Status, string Code, string Title)
{
    /// <summary>Seconds a client should wait before retrying a 503.</summary>
    public const int RetryAfterSeconds = 2;

    public static readonly BffError NotAuthenticated = new(StatusCodes.Status401Unauthorized, "not_authenticated", "Sign in first.");
    public static readonly BffError SessionEnded = new(StatusCodes.Status401Unauthorized, "session_ended", "The session has ended; sign in again.");
    public static readonly BffError Csrf = new(StatusCodes.Status403Forbidden, "csrf", "The X-CSRF: 1 header is required.");
    public static readonly BffError RefreshUnavailable = new(StatusCodes.Status503ServiceUnavailable, "refresh_unavailable", "A fresh access token could not be obtained right now; the session is kept. Retry shortly.");
    public static readonly BffError TokenRefused = new(StatusCodes.Status502BadGateway, "token_refused", "The identity provider refuses a token for this route's resource or scope; the session is kept. Check the route's Bff.AccessToken.Resource, Scope and Audience.");
    public static readonly BffError ProviderUnavailable = new(StatusCodes.Status503ServiceUnavailable, "provider_unavailable", "The identity provider cannot be reached right now. Retry shortly.");
    public static readonly BffError InvalidPath = new(StatusCodes.Status400BadRequest, "invalid_path", "The path contains encoded separators or dot segments; it is not forwarded.");
    public static readonly BffError InvalidReturnUrl = new(StatusCodes.Status400BadRequest, "invalid_return_url", "returnUrl must be a local path such as /app.");
    public static readonly BffError InvalidLogoutRequest = new(StatusCodes.Status400BadRequest, "invalid_logout_request", "GET /bff/logout needs the session's sid; or POST with X-CSRF: 1.");
    public static readonly BffError LoginUnavailable = new(StatusCodes.Status503ServiceUnavailable, "login_unavailable", "The session could not be stored right now; nothing was kept. Sign in again shortly.");
    public static readonly BffError LoginFailed = new(StatusCodes.Status400BadRequest, "login_failed", "The sign-in with the identity provider did not complete.");
}
