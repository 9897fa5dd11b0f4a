using Microsoft.Extensions.Options;

namespace Bff.Tests.Infrastructure;

/// <summary>An options monitor that always returns one value, for unit tests of classes that take a monitor.</summary>
internal sealed class StaticOptionsMonitor<T>(T value) : IOptionsMonitor<T>
{
    public T CurrentValue => value;

    public T Get(string? name) => value;

    public IDisposable? OnChange(Action<T, string?> listener) => null;
}
