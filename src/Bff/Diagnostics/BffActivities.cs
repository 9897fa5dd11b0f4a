using System.Diagnostics;

namespace Bff.Diagnostics;

/// <summary>
/// The gateway's trace spans (ActivitySource <c>Bff</c>). A refresh span sits under the request (or sweep)
/// that started it and holds the provider call; spans carry the session's hash, never its id or a token.
/// Starting a span costs nothing while no listener (OpenTelemetry) is attached.
/// </summary>
internal static class BffActivities
{
    public const string SourceName = "Bff";

    private static readonly ActivitySource Source = new(SourceName);

    /// <summary>One refresh flight: lock, double-check, provider call, fenced write, publish.</summary>
    /// <param name="sessionHash">The session's hash, never its id.</param>
    /// <param name="trigger">request or sweeper.</param>
    public static Activity? StartRefresh(string sessionHash, string trigger)
    {
        var activity = Source.StartActivity("bff.refresh");
        activity?.SetTag("bff.session", sessionHash);
        activity?.SetTag("bff.refresh.trigger", trigger);
        return activity;
    }

    /// <summary>The call to the provider's token endpoint.</summary>
    public static Activity? StartTokenEndpointCall() => Source.StartActivity("bff.token_endpoint", ActivityKind.Client);

    /// <summary>One sweep of the refresh schedule.</summary>
    public static Activity? StartSweep() => Source.StartActivity("bff.sweep");
}
