using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Bff.Configuration;
using Bff.Diagnostics;
using Bff.Sessions;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace Bff.Tokens;

/// <summary>
/// Refresh requests in either format (<see cref="RefreshRequestFormat"/>): the standard refresh-token grant
/// (RFC 6749 §6), form-encoded with the client secret in the body or as HTTP Basic as the provider
/// advertises; or a JSON body (Supabase GoTrue). Token revocation (RFC 7009) at logout. Every answer is
/// validated: a malformed one is a transient failure, never a reason to end the session.
/// </summary>
internal sealed class TokenEndpointClient(
    HttpClient http,
    ProviderMetadata metadata,
    IOptions<BffOptions> options,
    TimeProvider time,
    ILogger<TokenEndpointClient> logger) : ITokenEndpointClient
{
    // GoTrue's answers to a spent or unknown refresh token; OAuth providers say invalid_grant.
    private static readonly HashSet<string> RejectionCodes =
        ["invalid_grant", "refresh_token_not_found", "refresh_token_already_used", "session_not_found", "session_expired"];

    /// <summary>A token response is a few KB; anything bigger is garbage and is not read further.</summary>
    internal const int MaxResponseBytes = 64 * 1024;

    /// <summary>Used when the provider sends no usable <c>expires_in</c> and the access token is not a readable JWT.</summary>
    internal static readonly TimeSpan FallbackLifetime = TimeSpan.FromMinutes(5);

    private static readonly TimeSpan MaxLifetime = TimeSpan.FromDays(1);

    private readonly BffOidcOptions _oidc = options.Value.Oidc;
    private readonly BffRefreshRequestOptions _refresh = options.Value.Tokens.RefreshRequest;

    public async Task<TokenRefreshResult> RefreshAsync(TokenSet current, CancellationToken cancellationToken)
    {
        if (current.RefreshToken is null)
        {
            return TokenRefreshResult.Rejection("the session has no refresh token");
        }

        using var request = await CreateRefreshRequestAsync(current.RefreshToken, cancellationToken);
        if (request is null)
        {
            return TokenRefreshResult.Failure("provider metadata (token endpoint) unavailable");
        }

        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            var body = await ReadBoundedAsync(response.Content, cancellationToken);
            if (body is null)
            {
                return TokenRefreshResult.Failure($"response over {MaxResponseBytes} bytes (status {(int)response.StatusCode})");
            }

            if (response.IsSuccessStatusCode)
            {
                return ParseTokenResponse(body, current);
            }

            var error = TryReadError(body);
            return response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.Unauthorized && error is not null && RejectionCodes.Contains(error)
                ? TokenRefreshResult.Rejection(error)
                : TokenRefreshResult.Failure($"status {(int)response.StatusCode} {error}");
        }
        catch (HttpRequestException exception)
        {
            return TokenRefreshResult.Failure($"network error: {exception.HttpRequestError}");
        }
    }

    public async Task RevokeAsync(string refreshToken, CancellationToken cancellationToken)
    {
        var configuration = await TryGetConfigurationAsync(cancellationToken);
        if (configuration is null || configuration.RevocationEndpoint is not { Length: > 0 } revocationEndpoint)
        {
            return;
        }

        var form = new List<KeyValuePair<string, string>>
        {
            new("token", refreshToken),
            new("token_type_hint", "refresh_token"),
        };
        using var request = CreateAuthenticatedPost(revocationEndpoint, form, configuration);
        try
        {
            using var response = await http.SendAsync(request, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                Log.RevocationFailed(logger, $"status {(int)response.StatusCode}");
            }
        }
        catch (HttpRequestException exception)
        {
            Log.RevocationFailed(logger, exception.HttpRequestError.ToString());
        }
    }

    private async Task<HttpRequestMessage?> CreateRefreshRequestAsync(string refreshToken, CancellationToken cancellationToken)
    {
        HttpRequestMessage request;
        if (_refresh.Format == RefreshRequestFormat.Json)
        {
            request = new HttpRequestMessage(HttpMethod.Post, _refresh.Endpoint)
            {
                Content = JsonContent.Create(new JsonRefreshRequest(refreshToken), TokenEndpointJsonContext.Default.JsonRefreshRequest),
            };
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        }
        else
        {
            var configuration = await TryGetConfigurationAsync(cancellationToken);
            var endpoint = _refresh.Endpoint is { Length: > 0 } configured ? configured : configuration?.TokenEndpoint;
            if (configuration is null || string.IsNullOrEmpty(endpoint))
            {
                return null;
            }

            request = CreateAuthenticatedPost(endpoint, [new("grant_type", "refresh_token"), new("refresh_token", refreshToken)], configuration);
        }

        foreach (var (name, value) in _refresh.Headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return request;
    }

    private async Task<OpenIdConnectConfiguration?> TryGetConfigurationAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await metadata.GetAsync(cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            Log.ProviderMetadataUnavailable(logger, exception.GetType().Name);
            return null;
        }
    }

    private HttpRequestMessage CreateAuthenticatedPost(string endpoint, List<KeyValuePair<string, string>> form, OpenIdConnectConfiguration configuration)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, endpoint);
        if (_oidc.ClientSecret is { Length: > 0 } secret && ProviderMetadata.UsesBasicAuthentication(configuration))
        {
            // RFC 6749 §2.3.1: both parts are form-encoded before the Basic encoding.
            var credentials = $"{Uri.EscapeDataString(_oidc.ClientId)}:{Uri.EscapeDataString(secret)}";
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials)));
        }
        else
        {
            form.Add(new("client_id", _oidc.ClientId));
            if (_oidc.ClientSecret is { Length: > 0 } postedSecret)
            {
                form.Add(new("client_secret", postedSecret));
            }
        }

        request.Content = new FormUrlEncodedContent(form);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return request;
    }

    private TokenRefreshResult ParseTokenResponse(byte[] body, TokenSet current)
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

            if (ReadString(root, "token_type") is { } tokenType && !tokenType.Equals("Bearer", StringComparison.OrdinalIgnoreCase))
            {
                return TokenRefreshResult.Failure("token response with a token_type other than Bearer");
            }

            var now = time.GetUtcNow();
            var expiresAt = ReadLifetime(root, accessToken, now);
            // A provider that does not rotate returns no refresh token: the old one stays valid (RFC 6749 §6).
            var refreshToken = ReadString(root, "refresh_token") ?? current.RefreshToken;
            var idToken = ReadString(root, "id_token") ?? current.IdToken;
            return TokenRefreshResult.Success(new TokenSet(accessToken, refreshToken, idToken, expiresAt));
        }
        catch (JsonException)
        {
            return TokenRefreshResult.Failure("token response is not valid JSON");
        }
    }

    private static DateTimeOffset ReadLifetime(JsonElement root, string accessToken, DateTimeOffset now)
    {
        if (root.TryGetProperty("expires_in", out var expiresIn))
        {
            long seconds = -1;
            var parsed = expiresIn.ValueKind switch
            {
                JsonValueKind.Number => expiresIn.TryGetInt64(out seconds),
                JsonValueKind.String => long.TryParse(expiresIn.GetString(), out seconds),
                _ => false,
            };
            if (parsed && seconds > 0 && seconds <= MaxLifetime.TotalSeconds)
            {
                return now.AddSeconds(seconds);
            }
        }

        return JwtExpiry.TryRead(accessToken) is { } exp && exp > now && exp <= now + MaxLifetime ? exp : now + FallbackLifetime;
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
