namespace Bff.Tokens;

/// <summary>The tag values of the refresh metrics and spans (constant strings: no allocation per refresh).</summary>
internal static class TelemetryTags
{
    public static string Of(RefreshTrigger trigger) => trigger switch
    {
        RefreshTrigger.Sweeper => "sweeper",
        RefreshTrigger.Client => "client",
        _ => "request",
    };

    public static string Of(TokenRefreshOutcome outcome) => outcome switch
    {
        TokenRefreshOutcome.Succeeded => "succeeded",
        TokenRefreshOutcome.Rejected => "rejected",
        TokenRefreshOutcome.Refused => "refused",
        _ => "failed",
    };
}
