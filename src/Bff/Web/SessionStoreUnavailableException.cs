namespace Bff.Web;

/// <summary>The session store (Redis) failed: a transient condition that answers 503 and never ends a session.</summary>
internal sealed class SessionStoreUnavailableException(Exception inner)
    : Exception("The session store is unavailable.", inner);
