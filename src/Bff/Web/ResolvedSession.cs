using Bff.Sessions;

namespace Bff.Web;

/// <summary>The current request's session: its key (from the cookie) and its record as read from the store.</summary>
internal sealed record ResolvedSession(SessionKey Key, SessionRecord Record);
