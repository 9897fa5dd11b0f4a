using System.Text.RegularExpressions;
using Bff.Tests.Infrastructure;
using YamlDotNet.RepresentationModel;

namespace Bff.Tests.Deploy;

/// <summary>deploy/compose parses and scales out as documented: persistent Redis, two or more gateways behind nginx without affinity.</summary>
public sealed partial class ComposeTests
{
    private static readonly string Folder = Repository.PathOf("deploy/compose");
    private static readonly YamlMappingNode Compose = Yaml.Documents(Path.Combine(Folder, "docker-compose.yml")).Single();

    private static IEnumerable<KeyValuePair<string, YamlNode>> Services => Compose.Entries("services");

    [Fact]
    public void redis_persists_and_two_gateway_replicas_are_built_from_the_dockerfile()
    {
        var redis = Services.Single(s => s.Key == "redis").Value;
        var command = string.Join(' ', redis.Items("command").Select(c => ((YamlScalarNode)c).Value));
        Assert.Contains("--appendonly yes", command, StringComparison.Ordinal);
        Assert.True(redis.Has("volumes"));

        var gateways = Gateways().ToArray();
        Assert.True(gateways.Length >= 2, "at least two gateway replicas");
        Assert.All(gateways, g =>
        {
            Assert.Equal("Dockerfile", g.Text("build.dockerfile"));
            Assert.True(File.Exists(Path.Combine(Folder, g.Text("build.context"), g.Text("build.dockerfile"))));
            Assert.NotEmpty(g.Text("environment.Bff__Redis__Configuration"));
        });

        foreach (var demo in new[] { "idp", "api" })
        {
            var service = Services.Single(s => s.Key == demo).Value;
            Assert.Contains($"AS {service.Text("build.target")}", File.ReadAllText(Path.Combine(Folder, service.Text("build.context"), service.Text("build.dockerfile"))), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void nginx_balances_over_every_gateway_without_session_affinity()
    {
        var nginx = Services.Single(s => s.Key == "nginx").Value;
        Assert.Contains(nginx.Items("volumes"), v => ((YamlScalarNode)v).Value!.StartsWith("./nginx.conf:", StringComparison.Ordinal));
        var configuration = File.ReadAllText(Path.Combine(Folder, "nginx.conf"));

        var upstreams = UpstreamServer().Matches(configuration).Select(m => m.Groups[1].Value).Order().ToArray();
        var gatewayUrls = Gateways().Select(g => new Uri(g.Items("command").Select(c => ((YamlScalarNode)c).Value!).Last()).Authority).Order().ToArray();
        Assert.Equal(gatewayUrls, upstreams);
        Assert.DoesNotMatch(AffinityDirective(), configuration);
    }

    [Fact]
    public void nginx_terminates_tls_for_the_origin_the_provider_knows_and_the_gateways_trust_it_for_forwarded_headers()
    {
        var nginx = Services.Single(s => s.Key == "nginx").Value;
        Assert.Contains(nginx.Items("volumes"), v => ((YamlScalarNode)v).Value == "./tls:/etc/nginx/tls:ro");
        var configuration = File.ReadAllText(Path.Combine(Folder, "nginx.conf"));
        var httpsPort = TlsListen().Match(configuration).Groups[1].Value;
        Assert.NotEmpty(httpsPort);

        var idp = Services.Single(s => s.Key == "idp").Value;
        Assert.Equal($"https://localhost:{httpsPort}", idp.Text("environment.DEMO_IDP_GATEWAY_ORIGINS"));
        Assert.All(Gateways(), g => Assert.Equal("127.0.0.1", g.Text("environment.Bff__ForwardedHeaders__KnownProxies__0")));
        Assert.True(File.Exists(Path.Combine(Folder, "tls-cert.sh")));
    }

    /// <summary>Services built from the gateway's Dockerfile, with the shared settings merged in from the anchor.</summary>
    private static IEnumerable<YamlNode> Gateways() =>
        Services.Select(s => s.Value).Where(s => s.Has("build.dockerfile") && s.Text("build.dockerfile") == "Dockerfile");

    [GeneratedRegex(@"^\s*server\s+([\d.]+:\d+)", RegexOptions.Multiline)]
    private static partial Regex UpstreamServer();

    [GeneratedRegex(@"^\s*listen\s+[\d.]+:(\d+)\s+ssl;", RegexOptions.Multiline)]
    private static partial Regex TlsListen();

    [GeneratedRegex(@"^\s*(ip_hash|hash|sticky)\b", RegexOptions.Multiline)]
    private static partial Regex AffinityDirective();
}
