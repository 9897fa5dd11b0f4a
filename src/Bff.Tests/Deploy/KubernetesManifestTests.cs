using System.Text.Json;
using Bff.Hosting;
using Bff.Tests.Infrastructure;
using YamlDotNet.RepresentationModel;

namespace Bff.Tests.Deploy;

/// <summary>
/// deploy/kubernetes parses, hangs together (selectors, secret keys, ports, mounts) and carries a
/// configuration the gateway itself accepts.
/// </summary>
public sealed class KubernetesManifestTests
{
    private static readonly string Folder = Repository.PathOf("deploy/kubernetes");

    private static readonly Dictionary<string, YamlMappingNode> ByKind = Directory.GetFiles(Folder, "*.yaml")
        .Where(file => Path.GetFileName(file) != "kustomization.yaml")
        .SelectMany(Yaml.Documents)
        .ToDictionary(document => document.Text("kind"));

    private static YamlNode Pod => ByKind["Deployment"].At("spec.template");

    private static YamlNode Container => Assert.Single(Pod.Items("spec.containers"));

    [Fact]
    public void every_manifest_parses_names_itself_and_is_listed_in_the_kustomization()
    {
        var listed = Yaml.Documents(Path.Combine(Folder, "kustomization.yaml")).Single().Items("resources").Select(r => ((YamlScalarNode)r).Value).ToHashSet();
        foreach (var file in Directory.GetFiles(Folder, "*.yaml").Where(f => Path.GetFileName(f) != "kustomization.yaml"))
        {
            Assert.Contains(Path.GetFileName(file), listed);
            foreach (var document in Yaml.Documents(file))
            {
                Assert.NotEmpty(document.Text("apiVersion"));
                Assert.NotEmpty(document.Text("metadata.name"));
            }
        }

        Assert.Equal(["ConfigMap", "Deployment", "HorizontalPodAutoscaler", "Ingress", "PodDisruptionBudget", "Secret", "Service"], ByKind.Keys.Order());
    }

    [Fact]
    public void the_deployment_runs_three_replicas_probed_on_healthz_and_readyz()
    {
        Assert.Equal(3, ByKind["Deployment"].Number("spec.replicas"));
        Assert.Equal("/readyz", Container.Text("readinessProbe.httpGet.path"));
        Assert.Equal("/healthz", Container.Text("livenessProbe.httpGet.path"));
        var port = Container.Items("ports").Single(p => p.Text("name") == Container.Text("readinessProbe.httpGet.port"));
        Assert.Equal(8080, port.Number("containerPort"));
    }

    [Fact]
    public void the_grace_period_outlasts_the_pre_stop_pause_plus_the_gateways_own_shutdown()
    {
        var tokens = Settings().GetProperty("Bff").GetProperty("Tokens");
        var idpTimeout = TimeSpan.Parse(tokens.GetProperty("IdpTimeout").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        var idpCallLimit = TimeSpan.Parse(tokens.GetProperty("IdpCallLimit").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        var gatewayShutdown = new Bff.Configuration.BffTokenOptions { IdpTimeout = idpTimeout, IdpCallLimit = idpCallLimit }.ShutdownTimeout;
        var preStop = TimeSpan.FromSeconds(int.Parse(Container.Items("lifecycle.preStop.exec.command").Select(c => ((YamlScalarNode)c).Value!).Last(), System.Globalization.CultureInfo.InvariantCulture));

        var grace = TimeSpan.FromSeconds(Pod.Number("spec.terminationGracePeriodSeconds"));

        Assert.True(grace > idpTimeout);
        Assert.True(grace >= preStop + gatewayShutdown + TimeSpan.FromSeconds(5), $"grace {grace} < preStop {preStop} + shutdown {gatewayShutdown} + 5 s");
    }

    [Fact]
    public void secrets_config_and_selectors_match_up()
    {
        var secretKeys = ByKind["Secret"].Entries("stringData").Select(e => e.Key).ToHashSet();
        foreach (var variable in Container.Items("env").Where(e => e.Has("valueFrom.secretKeyRef")))
        {
            Assert.Equal(ByKind["Secret"].Text("metadata.name"), variable.Text("valueFrom.secretKeyRef.name"));
            Assert.Contains(variable.Text("valueFrom.secretKeyRef.key"), secretKeys);
        }

        Assert.Contains(Container.Items("env"), e => e.Text("name") == "Bff__Oidc__ClientSecret" && e.Has("valueFrom.secretKeyRef"));

        // The ConfigMap is mounted as a folder where the gateway looks for it (a subPath mount never updates).
        var mount = Container.Items("volumeMounts").Single(m => m.Text("name") == "config");
        Assert.Equal("/app/" + Path.GetDirectoryName(MountedSettings.RelativePath), mount.Text("mountPath"));
        Assert.False(mount.Has("subPath"));
        var volume = Pod.Items("spec.volumes").Single(v => v.Text("name") == "config");
        Assert.Equal(ByKind["ConfigMap"].Text("metadata.name"), volume.Text("configMap.name"));
        Assert.NotEmpty(ByKind["ConfigMap"].At("data").Value(Path.GetFileName(MountedSettings.RelativePath)));

        var podLabels = Pod.Entries("metadata.labels").ToDictionary(e => e.Key, e => ((YamlScalarNode)e.Value).Value);
        foreach (var selector in new[] { ByKind["Service"].At("spec.selector"), ByKind["PodDisruptionBudget"].At("spec.selector.matchLabels"), ByKind["Deployment"].At("spec.selector.matchLabels") })
        {
            Assert.All(((YamlMappingNode)selector).Children, label => Assert.Equal(podLabels[((YamlScalarNode)label.Key).Value!], ((YamlScalarNode)label.Value).Value));
        }

        Assert.False(ByKind["Service"].Has("spec.sessionAffinity"));
        Assert.Contains(Container.Items("ports"), p => p.Text("name") == ByKind["Service"].Text("spec.ports.0.targetPort"));
        Assert.Equal(ByKind["Deployment"].Text("metadata.name"), ByKind["HorizontalPodAutoscaler"].Text("spec.scaleTargetRef.name"));
        Assert.True(ByKind["HorizontalPodAutoscaler"].Number("spec.minReplicas") >= 3);
        Assert.True(ByKind["PodDisruptionBudget"].Number("spec.minAvailable") < ByKind["Deployment"].Number("spec.replicas"));
        // The ingress terminates TLS and sends to the Service's named port; the gateway trusts its forwarded headers.
        var ingressBackend = ByKind["Ingress"].At("spec.rules.0.http.paths.0.backend.service");
        Assert.Equal(ByKind["Service"].Text("metadata.name"), ingressBackend.Text("name"));
        Assert.Equal(ByKind["Service"].Text("spec.ports.0.name"), ingressBackend.Text("port.name"));
        Assert.NotEmpty(ByKind["Ingress"].Items("spec.tls"));
        Assert.NotEmpty(Settings().GetProperty("Bff").GetProperty("ForwardedHeaders").GetProperty("KnownNetworks").EnumerateArray());
    }

    [Fact]
    public async Task the_gateway_starts_with_the_configmaps_settings()
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("bff-configmap-").FullName, "appsettings.json");
        await File.WriteAllTextAsync(file, MountedFile);
        try
        {
            await using var app = GatewayHost.Build(new Dictionary<string, string?>(), settingsFile: file);
            await Task.Run(() => app.StartAsync());
            await app.StopAsync();
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(file)!, recursive: true);
        }
    }

    private static string MountedFile => ByKind["ConfigMap"].At("data").Value(Path.GetFileName(MountedSettings.RelativePath));

    private static JsonElement Settings() => JsonDocument.Parse(MountedFile).RootElement;
}
