namespace Bff.Locking;

/// <summary>What a refresh holder tells the waiters of a session when it lets go of the lock.</summary>
internal enum RefreshNotice
{
    /// <summary>The session changed (new tokens, or it ended): re-read it.</summary>
    Changed,

    /// <summary>The holder's refresh failed transiently: answer without a new token rather than retrying at once.</summary>
    Failed,
}
