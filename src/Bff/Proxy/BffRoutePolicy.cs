using System.Runtime.CompilerServices;
using Yarp.ReverseProxy.Configuration;

namespace Bff.Proxy;

/// <summary>A route's BFF policy, parsed from its YARP metadata once per route config (not per request).</summary>
internal sealed record BffRoutePolicy(AccessTokenMode AccessToken, bool Antiforgery)
{
    public const string AccessTokenKey = "Bff.AccessToken";
    public const string AntiforgeryKey = "Bff.Antiforgery";

    private static readonly ConditionalWeakTable<RouteConfig, BffRoutePolicy> Cache = new();

    /// <summary>Whether a request carrying the user's token must prove it came from the SPA (X-CSRF: 1).</summary>
    public bool RequiresAntiforgery(bool hasSession) =>
        Antiforgery && (AccessToken == AccessTokenMode.User || (AccessToken == AccessTokenMode.UserOrNone && hasSession));

    public static BffRoutePolicy For(RouteConfig route) =>
        Cache.GetValue(route, static r => TryParse(r, out var policy, out var error)
            ? policy
            : throw new InvalidOperationException(error));

    /// <summary>Parses the metadata; the error names the configuration key and the values that are allowed.</summary>
    public static bool TryParse(RouteConfig route, out BffRoutePolicy policy, out string? error)
    {
        policy = new BffRoutePolicy(AccessTokenMode.None, Antiforgery: true);
        error = null;
        var metadata = route.Metadata;
        var mode = AccessTokenMode.None;
        if (metadata?.TryGetValue(AccessTokenKey, out var modeText) == true
            && !(Enum.TryParse(modeText, ignoreCase: false, out mode) && Enum.IsDefined(mode) && !int.TryParse(modeText, out _)))
        {
            error = $"ReverseProxy:Routes:{route.RouteId}:Metadata:{AccessTokenKey} has the unknown value '{modeText}': use User, UserOrNone or None.";
            return false;
        }

        var antiforgery = true;
        if (metadata?.TryGetValue(AntiforgeryKey, out var antiforgeryText) == true && !bool.TryParse(antiforgeryText, out antiforgery))
        {
            error = $"ReverseProxy:Routes:{route.RouteId}:Metadata:{AntiforgeryKey} has the value '{antiforgeryText}': use \"true\" or \"false\".";
            return false;
        }

        policy = new BffRoutePolicy(mode, antiforgery);
        return true;
    }
}
