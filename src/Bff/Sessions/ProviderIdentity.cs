namespace Bff.Sessions;

/// <summary>Who the provider says the session belongs to: its <c>sub</c> and, when it issues one, its <c>sid</c>.</summary>
internal readonly record struct ProviderIdentity(string? Subject, string? SessionId)
{
    public static ProviderIdentity Of(SessionRecord session) => new(
        session.Claims.FirstOrDefault(c => c.Type == "sub")?.Value,
        session.Claims.FirstOrDefault(c => c.Type == "sid")?.Value);
}
