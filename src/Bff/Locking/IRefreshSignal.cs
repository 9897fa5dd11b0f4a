namespace Bff.Locking;

/// <summary>
/// Wakes the requests waiting for a session's refresh when its holder (in this process or another) lets go,
/// so waiters do not poll the store in a tight loop.
/// </summary>
internal interface IRefreshSignal
{
    /// <summary>
    /// Registers interest before the caller tries the lock, so a notice published in between is not missed.
    /// The task completes with the next notice published for the session.
    /// </summary>
    Task<RefreshNotice> Subscribe(string sessionHash);

    /// <summary>Tells every instance how the session's refresh ended.</summary>
    Task PublishAsync(string sessionHash, RefreshNotice notice);
}
