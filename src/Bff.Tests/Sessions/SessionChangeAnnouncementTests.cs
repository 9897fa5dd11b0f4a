using Bff.Diagnostics;
using Bff.Redis;
using Bff.Sessions;
using Bff.Tests.Infrastructure;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Bff.Tests.Sessions;

/// <summary>
/// A session write whose announcement failed is announced again until Redis takes it, so another instance's
/// copy goes within seconds of Redis answering again, not at the copy's maximum age. The writing instance
/// connects as a Redis user of its own, whose PUBLISH the test revokes and restores (ACL): its writes succeed
/// meanwhile, its announcements fail, and the reading instance's channel keeps delivering.
/// </summary>
public sealed class SessionChangeAnnouncementTests(RedisServer redis) : IClassFixture<RedisServer>
{
    [Fact]
    public async Task a_change_whose_announcement_failed_is_announced_once_redis_takes_announcements_again()
    {
        var admin = redis.Connection.GetDatabase();
        await admin.ExecuteAsync("ACL", "SETUSER", "writer", "on", ">writer-secret", "~*", "&*", "+@all");
        await using var writerConnection = await ConnectionMultiplexer.ConnectAsync($"{redis.Configuration},user=writer,password=writer-secret");
        var options = Options.Create(StoreOptions.With(TimeSpan.FromHours(1), TimeSpan.FromHours(8), $"bff-test-{Guid.NewGuid():N}:"));
        var keys = new RedisKeys(options);
        var heard = new HeardChanges();
        using var metrics = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var bffMetrics = new BffMetrics(metrics.GetRequiredService<IMeterFactory>());
        using var readerCache = new SessionCache(options, TimeProvider.System, bffMetrics);
        using var writerCache = new SessionCache(options, TimeProvider.System, bffMetrics);
        var reader = new RedisSessionChangeFeed(redis.Connection, keys, readerCache, [heard], NullLogger<RedisSessionChangeFeed>.Instance);
        var writer = new RedisSessionChangeFeed(writerConnection, keys, writerCache, [], NullLogger<RedisSessionChangeFeed>.Instance);
        await Eventually.HoldsAsync(async () => await reader.CheckAsync() & await writer.CheckAsync(), "both channels to deliver", TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(50));

        await admin.ExecuteAsync("ACL", "SETUSER", "writer", "-publish", "-spublish");
        var sessionHash = SessionKey.CreateNew().Hash;
        await writer.PublishAsync(sessionHash);
        await writer.CheckAsync(); // a check while Redis still refuses keeps it for the next
        Assert.DoesNotContain(sessionHash, heard.Hashes);

        await admin.ExecuteAsync("ACL", "SETUSER", "writer", "+publish", "+spublish");
        await Eventually.HoldsAsync(async () =>
        {
            await writer.CheckAsync();
            return heard.Hashes.Contains(sessionHash);
        }, "the failed announcement to be sent again and heard", TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(50));
        Assert.True(await reader.CheckAsync());
    }

    private sealed class HeardChanges : ISessionChangeListener
    {
        public System.Collections.Concurrent.ConcurrentBag<string> Hashes { get; } = [];

        public void SessionChanged(string sessionHash) => Hashes.Add(sessionHash);
    }
}
