using System.Buffers.Text;
using System.Text.Json;

namespace Bff.Sessions;

/// <summary>
/// Reads the <c>exp</c> claim of a JWS access token without validating it, for <see cref="TokenLifetime"/>
/// only: the gateway never trusts an access token's content for anything else.
/// </summary>
internal static class JwtExpiry
{
    public static DateTimeOffset? TryRead(string token)
    {
        var parts = token.Split('.');
        if (parts.Length != 3 || parts[1].Length > 8192)
        {
            return null;
        }

        try
        {
            using var payload = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1]));
            return payload.RootElement.ValueKind == JsonValueKind.Object
                   && payload.RootElement.TryGetProperty("exp", out var exp)
                   && exp.TryGetInt64(out var seconds)
                   && seconds is > 0 and < 253402300799
                ? DateTimeOffset.FromUnixTimeSeconds(seconds)
                : null;
        }
        catch (Exception exception) when (exception is FormatException or JsonException)
        {
            return null;
        }
    }
}
