using Bff.Hosting;
using Microsoft.Extensions.Configuration;

namespace Bff.Tests.Configuration;

/// <summary>The ConfigMap file (config/appsettings.json) overrides appsettings.json and yields to environment variables.</summary>
public sealed class MountedSettingsTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("bff-mounted-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void the_mounted_file_sits_between_appsettings_json_and_the_overrides_after_it()
    {
        File.WriteAllText(Path.Combine(_root, "appsettings.json"), """{ "A": "appsettings", "B": "appsettings" }""");
        Directory.CreateDirectory(Path.Combine(_root, "config"));
        File.WriteAllText(Path.Combine(_root, MountedSettings.RelativePath), """{ "B": "mounted", "C": "mounted" }""");
        using var configuration = new ConfigurationManager();
        configuration.SetBasePath(_root);
        configuration.AddJsonFile("appsettings.json");
        configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["C"] = "environment" });

        configuration.AddMountedSettings();

        Assert.Equal("appsettings", configuration["A"]);
        Assert.Equal("mounted", configuration["B"]);
        Assert.Equal("environment", configuration["C"]);
    }
}
