using StackExchange.Redis;

namespace Bff.Redis;

/// <summary>
/// A fleet channel's Redis channels. On one server (or Sentinel): one ordinary channel, as before. On a cluster,
/// an ordinary PUBLISH goes to every node over the cluster bus; instead the channel is
/// <see cref="RedisKeys.ChannelBuckets"/> sharded channels (<c>SPUBLISH</c>), each under a hash tag
/// <c>{c:N}</c>, and a session's messages go to its bucket's channel: to one shard only.
/// </summary>
internal readonly record struct FleetChannelName(string Prefix, string Name)
{
    public IReadOnlyList<RedisChannel> All(bool sharded) =>
        sharded ? [.. Enumerable.Range(0, RedisKeys.ChannelBuckets).Select(Bucket)] : [RedisChannel.Literal(Prefix + Name)];

    public RedisChannel Of(string sessionHash, bool sharded) =>
        sharded ? Bucket(Hashing.Bucket(sessionHash, RedisKeys.ChannelBuckets)) : RedisChannel.Literal(Prefix + Name);

    private RedisChannel Bucket(int bucket) => RedisChannel.Sharded($"{Prefix}{{c:{bucket}}}:{Name}");
}
