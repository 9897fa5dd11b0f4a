using System.Net;
using Bff.Tests.Infrastructure;

namespace Bff.Tests.Proxy;

/// <summary>
/// The gateway's YARP pipeline keeps YARP's own steps: a cluster's load-balancing policy applies (round robin
/// over two destinations alternates strictly, which random choice would not do ten times in a row).
/// </summary>
public sealed class LoadBalancingTests(ProviderHost provider) : IClassFixture<ProviderHost>
{
    [Fact]
    public async Task a_round_robin_cluster_alternates_between_its_destinations()
    {
        await using var first = await NamedBackendAsync("first");
        await using var second = await NamedBackendAsync("second");
        var configuration = GatewayHost.ConfigurationFor(provider);
        configuration["ReverseProxy:Routes:pair:ClusterId"] = "pair";
        configuration["ReverseProxy:Routes:pair:Match:Path"] = "/pair/{**rest}";
        configuration["ReverseProxy:Clusters:pair:LoadBalancingPolicy"] = "RoundRobin";
        configuration["ReverseProxy:Clusters:pair:Destinations:a:Address"] = first.Urls.First();
        configuration["ReverseProxy:Clusters:pair:Destinations:b:Address"] = second.Urls.First();
        await using var gateway = await GatewayHost.StartAsync(provider, configuration);
        using var browser = new BrowserClient(gateway.Address);

        var answers = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            var response = await browser.GetAsync("/pair/name", csrf: false);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            answers.Add(await response.Content.ReadAsStringAsync());
        }

        Assert.All(answers.Zip(answers.Skip(1)), pair => Assert.NotEqual(pair.First, pair.Second));
        Assert.Equal(5, answers.Count(a => a == "first"));
    }

    private static async Task<WebApplication> NamedBackendAsync(string name)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapGet("/pair/name", () => name);
        await Task.Run(() => app.StartAsync());
        return app;
    }
}
