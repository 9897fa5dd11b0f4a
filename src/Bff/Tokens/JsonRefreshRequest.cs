using System.Text.Json.Serialization;

namespace Bff.Tokens;

/// <summary>The body of a JSON-format refresh request.</summary>
internal sealed record JsonRefreshRequest([property: JsonPropertyName("refresh_token")] string RefreshToken);

[JsonSerializable(typeof(JsonRefreshRequest))]
internal sealed partial class TokenEndpointJsonContext : JsonSerializerContext;
