namespace Bff.Tracking;

/// <summary>Who the provider says a session belongs to: its <c>sub</c> and, when it issues one, its <c>sid</c>.</summary>
internal readonly record struct ProviderIdentity(string? Subject, string? SessionId);
