using StackExchange.Redis;

namespace Bff.Tests.Infrastructure;

/// <summary>What a fleet needs of its Redis, one server or a cluster: where it is, and a look inside.</summary>
public interface IRedisDeployment : IAsyncLifetime
{
    /// <summary>The gateway's <c>Bff:Redis:Configuration</c>.</summary>
    string Configuration { get; }

    /// <summary>The test's own connection (admin commands allowed).</summary>
    IConnectionMultiplexer Connection { get; }

    /// <summary>Every key and every value, for at-rest checks.</summary>
    Task<IReadOnlyList<string>> DumpAsync();
}
