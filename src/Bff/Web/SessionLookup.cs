namespace Bff.Web;

internal enum SessionLookupStatus
{
    /// <summary>No session cookie, or one that is not a well-formed session id.</summary>
    Anonymous,

    /// <summary>A well-formed cookie whose session no longer exists (ended, expired, logged out).</summary>
    Ended,

    Found,
}

/// <summary>What the request's cookie led to; memoised on the request so the store is read once per request.</summary>
internal sealed record SessionLookup(SessionLookupStatus Status, ResolvedSession? Session)
{
    public static readonly SessionLookup Anonymous = new(SessionLookupStatus.Anonymous, null);
    public static readonly SessionLookup Ended = new(SessionLookupStatus.Ended, null);
}
