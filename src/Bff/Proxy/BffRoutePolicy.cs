using System.Runtime.CompilerServices;
using Bff.Sessions;
using Yarp.ReverseProxy.Configuration;

namespace Bff.Proxy;

/// <summary>
/// A route's BFF policy, parsed from its YARP metadata (and its cluster's, for the token target) once per
/// configuration, not per request. Every <c>Bff.*</c> key is known here: an unknown one (a typo) is refused.
/// </summary>
internal sealed record BffRoutePolicy(AccessTokenMode AccessToken, bool Antiforgery, TokenTarget Target)
{
    public const string AccessTokenKey = "Bff.AccessToken";
    public const string AntiforgeryKey = "Bff.Antiforgery";
    public const string ResourceKey = "Bff.AccessToken.Resource";
    public const string ScopeKey = "Bff.AccessToken.Scope";
    public const string AudienceKey = "Bff.AccessToken.Audience";

    private const string Prefix = "Bff.";
    private static readonly string[] RouteKeys = [AccessTokenKey, AntiforgeryKey, ResourceKey, ScopeKey, AudienceKey];
    private static readonly string[] TargetKeys = [ResourceKey, ScopeKey, AudienceKey];
    private static readonly ConditionalWeakTable<RouteConfig, Parsed> Cache = new();

    /// <summary>
    /// Whether a request carrying the user's token must prove it came from the SPA (X-CSRF: 1). A request that
    /// gets the gateway's own token (<c>Client</c>, or <c>UserOrClient</c> without a session) carries nothing of
    /// the user's: a cross-site page could make the same call itself, so it needs no proof.
    /// </summary>
    public bool RequiresAntiforgery(bool hasSession) =>
        Antiforgery && (AccessToken == AccessTokenMode.User
            || (AccessToken is AccessTokenMode.UserOrNone or AccessTokenMode.UserOrClient && hasSession));

    /// <summary>The policy of <paramref name="route"/> on <paramref name="cluster"/> (validated when YARP loaded them).</summary>
    public static BffRoutePolicy For(RouteConfig route, ClusterConfig? cluster)
    {
        if (Cache.TryGetValue(route, out var parsed) && ReferenceEquals(parsed.Cluster, cluster))
        {
            return parsed.Policy;
        }

        var policy = TryParse(route, cluster, out var result, out var error) ? result : throw new InvalidOperationException(error);
        Cache.AddOrUpdate(route, new Parsed(cluster, policy));
        return policy;
    }

    /// <summary>Parses the metadata; the error names the configuration key and the values that are allowed.</summary>
    public static bool TryParse(RouteConfig route, ClusterConfig? cluster, out BffRoutePolicy policy, out string? error)
    {
        policy = new BffRoutePolicy(AccessTokenMode.None, Antiforgery: true, TokenTarget.Login);
        var metadata = route.Metadata;
        var where = $"ReverseProxy:Routes:{route.RouteId}:Metadata";
        if ((error = UnknownKey(metadata, RouteKeys, where)) is not null
            || (cluster is not null && (error = UnknownKey(cluster.Metadata, TargetKeys, $"ReverseProxy:Clusters:{cluster.ClusterId}:Metadata")) is not null))
        {
            return false;
        }

        var mode = AccessTokenMode.None;
        if (metadata?.TryGetValue(AccessTokenKey, out var modeText) == true
            && !(Enum.TryParse(modeText, ignoreCase: false, out mode) && Enum.IsDefined(mode) && !int.TryParse(modeText, out _)))
        {
            error = $"{where}:{AccessTokenKey} has the unknown value '{modeText}': use User, UserOrNone, Client, UserOrClient or None.";
            return false;
        }

        var antiforgery = true;
        if (metadata?.TryGetValue(AntiforgeryKey, out var antiforgeryText) == true && !bool.TryParse(antiforgeryText, out antiforgery))
        {
            error = $"{where}:{AntiforgeryKey} has the value '{antiforgeryText}': use \"true\" or \"false\".";
            return false;
        }

        if (!TryParseTarget(route, cluster, out var target, out error))
        {
            return false;
        }

        if (!target.IsLogin && mode == AccessTokenMode.None)
        {
            error = $"{where} asks for a token for {target} but {AccessTokenKey} is None: set {AccessTokenKey} to User or UserOrNone, or remove the target.";
            return false;
        }

        policy = new BffRoutePolicy(mode, antiforgery, target);
        return true;
    }

    /// <summary>Checks a cluster's own metadata (its target keys apply to every route on it).</summary>
    public static bool TryValidateCluster(ClusterConfig cluster, out string? error)
    {
        var where = $"ReverseProxy:Clusters:{cluster.ClusterId}:Metadata";
        error = UnknownKey(cluster.Metadata, TargetKeys, where);
        return error is null && TryReadTarget(cluster.Metadata, null, where, out _, out error);
    }

    private static bool TryParseTarget(RouteConfig route, ClusterConfig? cluster, out TokenTarget target, out string? error)
    {
        target = TokenTarget.Login;
        var routeWhere = $"ReverseProxy:Routes:{route.RouteId}:Metadata";
        // The route's keys win over its cluster's.
        return TryReadTarget(cluster?.Metadata, null, $"ReverseProxy:Clusters:{cluster?.ClusterId}:Metadata", out var fromCluster, out error)
            && TryReadTarget(route.Metadata, fromCluster, routeWhere, out target, out error);
    }

    private static bool TryReadTarget(IReadOnlyDictionary<string, string>? metadata, TokenTarget? defaults, string where, out TokenTarget target, out string? error)
    {
        target = defaults ?? TokenTarget.Login;
        error = null;
        var resource = metadata?.GetValueOrDefault(ResourceKey) ?? defaults?.Resource;
        var scope = metadata?.GetValueOrDefault(ScopeKey) ?? defaults?.Scope;
        var audience = metadata?.GetValueOrDefault(AudienceKey) ?? defaults?.Audience;
        if (metadata?.GetValueOrDefault(ResourceKey) is { } resourceText && !IsResourceIndicator(resourceText))
        {
            error = $"{where}:{ResourceKey} is '{resourceText}': use an absolute URI without a fragment, such as https://orders.example.com.";
            return false;
        }

        if (metadata?.GetValueOrDefault(ScopeKey) is { } scopeText && !IsScope(scopeText))
        {
            error = $"{where}:{ScopeKey} is '{scopeText}': use space-separated scope names (RFC 6749 §3.3), such as \"orders.read orders.write\".";
            return false;
        }

        if (metadata?.GetValueOrDefault(AudienceKey) is { } audienceText && (string.IsNullOrWhiteSpace(audienceText) || audienceText.Any(char.IsControl)))
        {
            error = $"{where}:{AudienceKey} is empty or has control characters: use the API's audience, such as https://orders.example.com.";
            return false;
        }

        target = new TokenTarget(resource, scope, audience);
        return true;
    }

    // RFC 8707 §2: an absolute URI without a fragment. (.NET on Linux reads "/orders" as a file path: not one.)
    private static bool IsResourceIndicator(string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri) && !uri.IsFile && !uri.IsUnc && string.IsNullOrEmpty(uri.Fragment);

    // RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ), separated by spaces.
    private static bool IsScope(string text) =>
        !string.IsNullOrWhiteSpace(text) && text.All(c => c == ' ' || (c >= '\x21' && c <= '\x7e' && c != '"' && c != '\\'));

    private static string? UnknownKey(IReadOnlyDictionary<string, string>? metadata, string[] known, string where)
    {
        foreach (var name in metadata?.Keys ?? [])
        {
            if (name.StartsWith(Prefix, StringComparison.Ordinal) && !known.Contains(name, StringComparer.Ordinal))
            {
                return $"{where}:{name} is not a setting of the gateway: use one of {string.Join(", ", known)}.";
            }
        }

        return null;
    }

    private sealed record Parsed(ClusterConfig? Cluster, BffRoutePolicy Policy);
}
