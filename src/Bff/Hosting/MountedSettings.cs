using Microsoft.Extensions.Configuration.Json;

namespace Bff.Hosting;

/// <summary>
/// <c>config/appsettings.json</c> under the content root: where Kubernetes mounts the routes ConfigMap as a
/// folder (a folder mount receives updates; a subPath file mount never does). Watched like appsettings.json,
/// so routes reload without a restart; it overrides appsettings.json, and environment variables and the
/// command line still override it.
/// </summary>
public static class MountedSettings
{
    public const string RelativePath = "config/appsettings.json";

    public static ConfigurationManager AddMountedSettings(this ConfigurationManager configuration)
    {
        var sources = configuration.Sources;
        var afterLastJsonFile = sources.Select((source, index) => (source, index))
            .Where(entry => entry.source is JsonConfigurationSource)
            .Select(entry => entry.index + 1)
            .DefaultIfEmpty(sources.Count)
            .Max();
        configuration.AddJsonFile(RelativePath, optional: true, reloadOnChange: true);
        var mounted = sources[^1];
        sources.RemoveAt(sources.Count - 1);
        sources.Insert(afterLastJsonFile, mounted);
        return configuration;
    }
}
