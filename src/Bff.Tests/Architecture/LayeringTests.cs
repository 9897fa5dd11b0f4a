using Bff.Hosting;

namespace Bff.Tests.Architecture;

/// <summary>
/// The folders of <c>src/Bff</c> are layers (README, "Layout"): a namespace names types of the layers below
/// it only, so the graph of type references between namespaces has no cycle. Read from the compiled gateway.
/// </summary>
public sealed class LayeringTests
{
    /// <summary>Top to bottom, as the README's layout table lists them; a layer may use any layer below it.</summary>
    private static readonly string[] Layers =
        ["Hosting", "Endpoints", "Proxy", "Sweeping", "Web", "Tokens", "Locking", "Sessions", "Tracking", "Redis", "Diagnostics", "Configuration"];

    private static readonly Dictionary<(string From, string To), string> Edges =
        NamespaceGraph.Of(typeof(BffServiceCollectionExtensions).Assembly, "Bff");

    [Fact]
    public void the_namespaces_of_the_gateway_reference_each_other_without_a_cycle()
    {
        var cycle = NamespaceGraph.FindCycle(Edges.Keys);

        Assert.True(cycle is null, cycle is null ? "" : $"cycle: {string.Join(" -> ", cycle)}; e.g. "
            + string.Join("; ", cycle.Zip(cycle.Skip(1)).Select(step => Edges[step])));
    }

    [Fact]
    public void every_reference_points_down_the_layers_of_the_readme()
    {
        var namespaces = Edges.Keys.SelectMany(e => new[] { e.From, e.To }).Distinct().ToArray();
        Assert.Empty(namespaces.Except(Layers));

        var upward = Edges.Where(e => Array.IndexOf(Layers, e.Key.From) > Array.IndexOf(Layers, e.Key.To))
            .Select(e => $"{e.Key.From} -> {e.Key.To} ({e.Value})");
        Assert.Empty(upward);
    }

    [Fact]
    public void the_graph_reader_sees_references_made_only_inside_method_bodies()
    {
        // A control: the proxy middleware names the refresh coordinator only in its constructor and calls,
        // and Hosting names the sweeper only in a generic method argument (AddHostedService<SessionSweeper>).
        Assert.Contains(("Proxy", "Tokens"), Edges.Keys);
        Assert.Contains(("Hosting", "Sweeping"), Edges.Keys);
        Assert.NotNull(NamespaceGraph.FindCycle([("A", "B"), ("B", "C"), ("C", "A")]));
    }
}
