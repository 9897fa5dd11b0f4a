using System.Text.Json.Serialization;

namespace Bff.Sessions;

/// <summary>The encrypted part of a Redis session: tokens and claims. Versions and timestamps stay in clear beside it.</summary>
internal sealed record SessionPayload(TokenSet Tokens, IReadOnlyList<SessionClaim> Claims, DateTimeOffset CreatedAt, string LogoutId);

[JsonSerializable(typeof(SessionPayload))]
[JsonSerializable(typeof(TargetToken))]
internal sealed partial class SessionPayloadJsonContext : JsonSerializerContext;
