namespace Bff.Sessions;

/// <summary>Tells every instance's <see cref="SessionCache"/> and <see cref="ISessionChangeListener"/>s that a session was written or ended.</summary>
internal interface ISessionChangeFeed
{
    /// <summary>Evicts the session's copy here at once, and on the other instances as soon as they hear.</summary>
    Task PublishAsync(string sessionHash);
}

/// <summary>One instance (in-memory store): only this process has copies and listeners.</summary>
internal sealed class InProcessSessionChangeFeed(SessionCache cache, IEnumerable<ISessionChangeListener> listeners) : ISessionChangeFeed
{
    public Task PublishAsync(string sessionHash)
    {
        cache.Evict(sessionHash);
        foreach (var listener in listeners)
        {
            listener.SessionChanged(sessionHash);
        }

        return Task.CompletedTask;
    }
}
