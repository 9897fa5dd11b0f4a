using System.IdentityModel.Tokens.Jwt;
using Bff.Demo.Api;

namespace Bff.Tests.Infrastructure;

/// <summary>
/// Gateway routes to the sample API's three resource APIs (<see cref="DemoApi.Resources"/>), each asking for a
/// token for its own resource: <c>/orders</c> and <c>/billing</c> by route metadata, <c>/catalog</c> through
/// its cluster's metadata. Each API answers 401 to a token meant for another.
/// </summary>
public static class ResourceRoutes
{
    public static readonly string[] Paths = [.. DemoApi.Resources.Select(DemoApi.PathOf)];

    public static void AddTo(Dictionary<string, string?> configuration)
    {
        var api = configuration["ReverseProxy:Clusters:api:Destinations:d1:Address"];
        foreach (var resource in DemoApi.Resources)
        {
            var name = DemoApi.PathOf(resource).Trim('/');
            configuration[$"ReverseProxy:Routes:{name}:Match:Path"] = $"/{name}/{{**rest}}";
            configuration[$"ReverseProxy:Routes:{name}:Metadata:Bff.AccessToken"] = "User";
            if (name == "catalog")
            {
                configuration[$"ReverseProxy:Routes:{name}:ClusterId"] = "catalog";
                configuration["ReverseProxy:Clusters:catalog:Destinations:d1:Address"] = api;
                configuration["ReverseProxy:Clusters:catalog:Metadata:Bff.AccessToken.Resource"] = resource;
            }
            else
            {
                configuration[$"ReverseProxy:Routes:{name}:ClusterId"] = "api";
                configuration[$"ReverseProxy:Routes:{name}:Metadata:Bff.AccessToken.Resource"] = resource;
            }
        }
    }

    /// <summary>The audiences of the bearer token in an Authorization header.</summary>
    public static IReadOnlyList<string> AudiencesOf(string authorization) =>
        [.. new JwtSecurityTokenHandler().ReadJwtToken(authorization["Bearer ".Length..]).Audiences];
}
