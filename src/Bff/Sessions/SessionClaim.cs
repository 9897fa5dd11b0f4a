namespace Bff.Sessions;

/// <summary>One claim of the signed-in user, as returned by <c>/bff/user</c>.</summary>
internal sealed record SessionClaim(string Type, string Value);
