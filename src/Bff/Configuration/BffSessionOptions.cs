namespace Bff.Configuration;

/// <summary><c>Bff:Session</c>: sliding idle and absolute lifetimes of a server-side session.</summary>
public sealed class BffSessionOptions
{
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromHours(8);
    public TimeSpan AbsoluteTimeout { get; set; } = TimeSpan.FromDays(7);

    /// <summary>
    /// Redis mode: how many recently used sessions each instance keeps decrypted in memory, so that a request
    /// costs no Redis round trip; 0 turns the cache off. Also bounds the recently read cookie ids whose key
    /// <c>Web/SessionCookie.cs</c> remembers (both modes). See <c>Sessions/SessionCache.cs</c>. The default holds a
    /// hundred thousand active users: about 2.2 KB each with a 1.2 KB access token (bench/RESULTS.md, "Many
    /// sessions"), some 220 MB of heap when full.
    /// </summary>
    public int CacheSize { get; set; } = 100_000;

    /// <summary>
    /// The longest a copy read from Redis is served. Evictions normally arrive at once, and an announcement that
    /// failed is sent again each second until Redis takes it; this bounds only how long a change can go unseen
    /// on another instance when the instance that made it stopped before announcing it. A lost subscription is
    /// found by the channel's probe within seconds and empties the cache, whatever this says. Every copy is read
    /// again within this age: 100,000 active sessions cost about 190 Redis reads a second at 10 minutes (950 at
    /// the 2 minutes of earlier releases).
    /// </summary>
    public TimeSpan CacheMaxAge { get; set; } = TimeSpan.FromMinutes(10);
}
