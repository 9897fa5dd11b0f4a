namespace Bff.Locking;

/// <summary>
/// Wakes the requests waiting for a session's refresh when its holder (in this process or another) has
/// stored the result, so waiters do not poll the store in a tight loop.
/// </summary>
internal interface IRefreshSignal
{
    /// <summary>
    /// Registers interest before the caller tries the lock, so a result published in between is not missed.
    /// The task completes when the session's refresh is published.
    /// </summary>
    Task Subscribe(string sessionHash);

    /// <summary>Tells every instance that the session's tokens changed or the session ended.</summary>
    Task PublishAsync(string sessionHash);
}
