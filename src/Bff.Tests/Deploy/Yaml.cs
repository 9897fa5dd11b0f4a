using YamlDotNet.RepresentationModel;

namespace Bff.Tests.Deploy;

/// <summary>Navigation over parsed YAML that fails with the path it was looking for.</summary>
internal static class Yaml
{
    public static IReadOnlyList<YamlMappingNode> Documents(string path)
    {
        var stream = new YamlStream();
        using (var reader = new StreamReader(path))
        {
            stream.Load(reader);
        }

        return stream.Documents.Select(d => Assert.IsType<YamlMappingNode>(d.RootNode)).ToArray();
    }

    /// <summary>The node at a dotted path (<c>spec.template.spec</c>); list items by index (<c>containers.0</c>).</summary>
    public static YamlNode At(this YamlNode node, string path)
    {
        foreach (var step in path.Split('.'))
        {
            node = node switch
            {
                YamlMappingNode map when Lookup(map, step) is { } child => child,
                YamlSequenceNode list when int.TryParse(step, out var index) && index < list.Children.Count => list.Children[index],
                _ => throw new Xunit.Sdk.XunitException($"No '{step}' in '{path}'."),
            };
        }

        return node;
    }

    /// <summary>The value under one key that may itself contain dots (<c>appsettings.json</c>).</summary>
    public static string Value(this YamlNode node, string key) =>
        Assert.IsType<YamlScalarNode>(Assert.IsType<YamlMappingNode>(node).Children[new YamlScalarNode(key)]).Value ?? "";

    /// <summary>A key of a mapping, or of the mapping it merges in with <c>&lt;&lt;: *anchor</c> (compose files use it).</summary>
    private static YamlNode? Lookup(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var child) ? child
        : map.Children.TryGetValue(new YamlScalarNode("<<"), out var merged) && merged is YamlMappingNode inherited ? Lookup(inherited, key)
        : null;

    public static string Text(this YamlNode node, string path) => Assert.IsType<YamlScalarNode>(node.At(path)).Value ?? "";

    public static int Number(this YamlNode node, string path) => int.Parse(node.Text(path), System.Globalization.CultureInfo.InvariantCulture);

    public static IEnumerable<YamlNode> Items(this YamlNode node, string path) => Assert.IsType<YamlSequenceNode>(node.At(path)).Children;

    public static IEnumerable<KeyValuePair<string, YamlNode>> Entries(this YamlNode node, string path) =>
        Assert.IsType<YamlMappingNode>(node.At(path)).Children.Select(c => new KeyValuePair<string, YamlNode>(((YamlScalarNode)c.Key).Value!, c.Value));

    public static bool Has(this YamlNode node, string path)
    {
        try
        {
            node.At(path);
            return true;
        }
        catch (Xunit.Sdk.XunitException)
        {
            return false;
        }
    }
}
