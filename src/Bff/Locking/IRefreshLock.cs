namespace Bff.Locking;

/// <summary>
/// The per-session refresh lock. A lease expires by itself, so a crashed holder never blocks a session
/// beyond its lease (DESIGN invariant 4).
/// </summary>
internal interface IRefreshLock
{
    /// <summary>Takes the lock for <paramref name="lease"/>, or returns null when another owner holds it.</summary>
    Task<IRefreshLease?> TryAcquireAsync(string sessionHash, TimeSpan lease, CancellationToken cancellationToken);
}

/// <summary>A held lock. Disposing releases it only if this owner still holds it.</summary>
internal interface IRefreshLease : IAsyncDisposable
{
    /// <summary>Extends the lease if this owner still holds it.</summary>
    Task<bool> ExtendAsync(TimeSpan lease);
}
