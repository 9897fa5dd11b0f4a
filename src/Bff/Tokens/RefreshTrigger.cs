namespace Bff.Tokens;

/// <summary>Who started a refresh, for the <c>bff.refresh.count</c> metric.</summary>
internal enum RefreshTrigger
{
    Request,
    Sweeper,

    /// <summary>The gateway's own token (client credentials).</summary>
    Client,
}
