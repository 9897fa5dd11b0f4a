using Bff.Configuration;

namespace Bff.Tests.Sessions;

internal static class StoreOptions
{
    public static BffOptions With(TimeSpan idleTimeout, TimeSpan absoluteTimeout, string keyPrefix = "bff-test:") => new()
    {
        Session = new BffSessionOptions { IdleTimeout = idleTimeout, AbsoluteTimeout = absoluteTimeout },
        Redis = new BffRedisOptions { KeyPrefix = keyPrefix },
    };
}
