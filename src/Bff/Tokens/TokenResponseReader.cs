using System.Net;
using System.Text.Json;
using Bff.Sessions;

namespace Bff.Tokens;

/// <summary>
/// Reads the token endpoint's answer into a <see cref="TokenRefreshResult"/>. Every answer is validated and read
/// only up to <see cref="MaxResponseBytes"/>: a malformed one is a transient failure, never a reason to end the
/// session; only a refresh-token rejection ends it.
/// </summary>
internal static class TokenResponseReader
{
    /// <summary>A token response is a few KB; anything bigger is garbage and is not read further.</summary>
    public const int MaxResponseBytes = 64 * 1024;

    // GoTrue's answers to a spent or unknown refresh token; OAuth providers say invalid_grant.
    private static readonly HashSet<string> RejectionCodes =
        ["invalid_grant", "refresh_token_not_found", "refresh_token_already_used", "session_not_found", "session_expired"];

    // The grant is fine but not for what was asked (RFC 8707 §2, RFC 6749 §5.2); Auth0 says access_denied for an unknown audience.
    private static readonly HashSet<string> RefusalCodes = ["invalid_target", "invalid_scope"];

    /// <param name="response">The provider's answer.</param>
    /// <param name="current">The tokens presented: their refresh and id tokens stay when the answer has none (RFC 6749 §6).</param>
    /// <param name="target">What the access token was asked for: it replaces that target's token only.</param>
    /// <param name="requestedAt">When the request was sent, the start of <c>expires_in</c> (<see cref="TokenLifetime"/>).</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    public static async Task<TokenRefreshResult> ReadAsync(HttpResponseMessage response, TokenSet current, TokenTarget target, DateTimeOffset requestedAt, CancellationToken cancellationToken)
    {
        var body = await ReadBoundedAsync(response.Content, cancellationToken);
        if (body is null)
        {
            return TokenRefreshResult.Failure($"response over {MaxResponseBytes} bytes (status {(int)response.StatusCode})");
        }

        if (response.IsSuccessStatusCode)
        {
            return ParseTokens(body, current, target, requestedAt);
        }

        var error = TryReadError(body);
        if (response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.Unauthorized && error is not null)
        {
            if (RejectionCodes.Contains(error))
            {
                return TokenRefreshResult.Rejection(error);
            }

            if (RefusalCodes.Contains(error))
            {
                return TokenRefreshResult.Refusal(error);
            }
        }

        return TokenRefreshResult.Failure($"status {(int)response.StatusCode} {error}");
    }

    private static TokenRefreshResult ParseTokens(byte[] body, TokenSet current, TokenTarget target, DateTimeOffset requestedAt)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return TokenRefreshResult.Failure("token response is not a JSON object");
            }

            if (ReadString(root, "access_token") is not { } accessToken)
            {
                return TokenRefreshResult.Failure("token response without access_token");
            }

            if (!BearerAuthorization.IsHeaderSafe(accessToken))
            {
                return TokenRefreshResult.Failure("token response with an access_token that is not visible ASCII, which no Authorization header can carry");
            }

            if (ReadString(root, "token_type") is { } tokenType && !tokenType.Equals("Bearer", StringComparison.OrdinalIgnoreCase))
            {
                return TokenRefreshResult.Failure("token response with a token_type other than Bearer");
            }

            var stated = TokenLifetime.FromExpiresIn(ReadSeconds(root, "expires_in"), requestedAt);
            var expiresAt = TokenLifetime.ExpiresAt(accessToken, stated, requestedAt);
            // A provider that does not rotate returns no refresh token: the old one stays valid (RFC 6749 §6).
            return TokenRefreshResult.Success(current.With(target, accessToken, expiresAt, requestedAt, ReadString(root, "refresh_token"), ReadString(root, "id_token")));
        }
        catch (JsonException)
        {
            return TokenRefreshResult.Failure("token response is not valid JSON");
        }
    }

    private static long? ReadSeconds(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var value))
        {
            return null;
        }

        long seconds = -1;
        var parsed = value.ValueKind switch
        {
            JsonValueKind.Number => value.TryGetInt64(out seconds),
            JsonValueKind.String => long.TryParse(value.GetString(), out seconds),
            _ => false,
        };
        return parsed ? seconds : null;
    }

    private static string? ReadString(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text
            ? text
            : null;

    private static string? TryReadError(byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object
                ? ReadString(document.RootElement, "error_code") ?? ReadString(document.RootElement, "error")
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static async Task<byte[]?> ReadBoundedAsync(HttpContent content, CancellationToken cancellationToken)
    {
        if (content.Headers.ContentLength > MaxResponseBytes)
        {
            return null;
        }

        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MaxResponseBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }
}
