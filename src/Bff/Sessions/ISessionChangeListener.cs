namespace Bff.Sessions;

/// <summary>Hears, on every instance, that a session was written or ended somewhere in the fleet (besides the cache).</summary>
internal interface ISessionChangeListener
{
    void SessionChanged(string sessionHash);
}
