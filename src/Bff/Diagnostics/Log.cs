using Microsoft.Extensions.Logging;

namespace Bff.Diagnostics;

/// <summary>Source-generated log messages. Sessions appear only as the hash of their id; tokens never appear.</summary>
internal static partial class Log
{
    [LoggerMessage(EventIds.InMemoryStoreInUse, LogLevel.Warning,
        "Bff:Redis:Configuration is empty: sessions are kept in this process only. Run a single instance; every restart logs all users out. Configure Redis for production.")]
    public static partial void InMemoryStoreInUse(ILogger logger);

    [LoggerMessage(EventIds.RedisStoreInUse, LogLevel.Information, "Sessions are stored in Redis under key prefix '{KeyPrefix}'.")]
    public static partial void RedisStoreInUse(ILogger logger, string keyPrefix);

    [LoggerMessage(EventIds.SessionCacheSuspended, LogLevel.Warning, "The session-change channel is disconnected: the session cache is emptied and bypassed until it is back.")]
    public static partial void SessionCacheSuspended(ILogger logger);

    [LoggerMessage(EventIds.SessionCacheResumed, LogLevel.Information, "The session-change channel is connected: the session cache is in use.")]
    public static partial void SessionCacheResumed(ILogger logger);

    [LoggerMessage(EventIds.SessionChangePublishFailed, LogLevel.Warning, "Announcing a change of session {SessionHash} failed ({Error}); other instances drop their copy within the cache's maximum age.")]
    public static partial void SessionChangePublishFailed(ILogger logger, string sessionHash, string error);


    [LoggerMessage(EventIds.HintUpdateFailed, LogLevel.Warning, "Updating the refresh schedule or logout index of session {SessionHash} failed ({Error}); the session itself was written.")]
    public static partial void HintUpdateFailed(ILogger logger, string sessionHash, string error);

    [LoggerMessage(EventIds.SessionCreated, LogLevel.Information, "Session {SessionHash} created.")]
    public static partial void SessionCreated(ILogger logger, string sessionHash);

    [LoggerMessage(EventIds.SessionEnded, LogLevel.Information, "Session {SessionHash} ended: {Reason}.")]
    public static partial void SessionEnded(ILogger logger, string sessionHash, string reason);

    [LoggerMessage(EventIds.SessionUnreadable, LogLevel.Warning, "Session {SessionHash} could not be read ({Error}); answering 503 and keeping it.")]
    public static partial void SessionUnreadable(ILogger logger, string sessionHash, string error);

    [LoggerMessage(EventIds.Refreshed, LogLevel.Information, "Session {SessionHash} refreshed: version {FromVersion} -> {ToVersion}.")]
    public static partial void Refreshed(ILogger logger, string sessionHash, long fromVersion, long? toVersion);

    [LoggerMessage(EventIds.RefreshRejected, LogLevel.Information, "Session {SessionHash}: the provider rejected the refresh token ({Detail}); the session ends.")]
    public static partial void RefreshRejected(ILogger logger, string sessionHash, string detail);

    [LoggerMessage(EventIds.NoRefreshTokenIssued, LogLevel.Warning, "Session {SessionHash}: its access token expired and the provider issued no refresh token at sign-in; the session ends. " + OfflineAccessAdvice)]
    public static partial void NoRefreshTokenIssued(ILogger logger, string sessionHash);

    [LoggerMessage(EventIds.SignInWithoutRefreshToken, LogLevel.Warning, "Session {SessionHash}: the provider issued no refresh token at sign-in, so the session will end when its access token expires. " + OfflineAccessAdvice)]
    public static partial void SignInWithoutRefreshToken(ILogger logger, string sessionHash);

    [LoggerMessage(EventIds.SignInUnavailable, LogLevel.Warning, "Sign-in could not store the session ({Error}); answering 503 login_unavailable, nothing kept.")]
    public static partial void SignInUnavailable(ILogger logger, string error);

    private const string OfflineAccessAdvice = "Ask the provider for offline access: offline_access in Bff:Oidc:Scopes, Bff:Oidc:Prompt=consent (OpenID Connect Core §11, e.g. oidc-provider), or Bff:Oidc:AuthorizeParameters (e.g. access_type=offline for Google).";

    [LoggerMessage(EventIds.RefreshFailed, LogLevel.Warning, "Session {SessionHash}: refresh failed ({Detail}); the session stays.")]
    public static partial void RefreshFailed(ILogger logger, string sessionHash, string detail);

    [LoggerMessage(EventIds.RefreshCrashed, LogLevel.Error, "Session {SessionHash}: refresh aborted; the session stays.")]
    public static partial void RefreshCrashed(ILogger logger, string sessionHash, Exception exception);

    [LoggerMessage(EventIds.RefreshWaitTimedOut, LogLevel.Warning, "Session {SessionHash}: waited past the lock lease for another refresh; answering without a new token.")]
    public static partial void RefreshWaitTimedOut(ILogger logger, string sessionHash);

    [LoggerMessage(EventIds.StoreRetry, LogLevel.Warning, "Session {SessionHash}: storing refreshed tokens failed (attempt {Attempt}, {Error}); retrying while the lease holds.")]
    public static partial void StoreRetry(ILogger logger, string sessionHash, int attempt, string error);

    [LoggerMessage(EventIds.PublishFailed, LogLevel.Warning, "Session {SessionHash}: publishing the refresh failed ({Error}); waiters fall back to re-reading.")]
    public static partial void PublishFailed(ILogger logger, string sessionHash, string error);

    [LoggerMessage(EventIds.TouchesFailed, LogLevel.Debug, "Sliding the idle ends of {Count} sessions failed ({Error}); their next requests after the touch interval try again.")]
    public static partial void TouchesFailed(ILogger logger, int count, string error);

    [LoggerMessage(EventIds.SignInUndone, LogLevel.Warning, "Scheduling the background refresh of new session {SessionHash} failed ({Error}): the session is removed and the sign-in fails, to be retried.")]
    public static partial void SignInUndone(ILogger logger, string sessionHash, string error);

    [LoggerMessage(EventIds.FleetChannelResubscribing, LogLevel.Warning, "The fleet channel {Channel} is not delivering ({Error}): subscribing again. Meanwhile refresh waiters re-read the store and the session cache stays off.")]
    public static partial void FleetChannelResubscribing(ILogger logger, string channel, string error);

    [LoggerMessage(EventIds.LeaseRenewalFailed, LogLevel.Warning, "Renewing a refresh lock while the provider call is in flight failed ({Error}); retrying at the next beat.")]
    public static partial void LeaseRenewalFailed(ILogger logger, string error);

    [LoggerMessage(EventIds.ProviderMetadataUnavailable, LogLevel.Warning, "The provider's discovery document is unavailable ({Error}).")]
    public static partial void ProviderMetadataUnavailable(ILogger logger, string error);

    [LoggerMessage(EventIds.LoginUnavailable, LogLevel.Warning, "Sign-in could not start ({Error}); answering 503.")]
    public static partial void LoginUnavailable(ILogger logger, string error);

    [LoggerMessage(EventIds.RevocationFailed, LogLevel.Warning, "Revoking the refresh token at logout failed ({Detail}); the session ends anyway.")]
    public static partial void RevocationFailed(ILogger logger, string detail);

    [LoggerMessage(EventIds.SweepFailed, LogLevel.Warning, "A sweep of due sessions failed ({Error}); the next tick retries.")]
    public static partial void SweepFailed(ILogger logger, string error);

    [LoggerMessage(EventIds.SessionAbandoned, LogLevel.Debug, "Session {SessionHash} goes idle before its token expires; the sweeper lets it expire.")]
    public static partial void SessionAbandoned(ILogger logger, string sessionHash);

    [LoggerMessage(EventIds.BackchannelLogoutRejected, LogLevel.Warning, "Back-channel logout refused: {Reason}.")]
    public static partial void BackchannelLogoutRejected(ILogger logger, string reason);

    [LoggerMessage(EventIds.BackchannelLogout, LogLevel.Information, "Back-channel logout ended {Count} session(s).")]
    public static partial void BackchannelLogout(ILogger logger, int count);

    [LoggerMessage(EventIds.ProxyRejected, LogLevel.Debug, "Request to route {RouteId} rejected: {Error}.")]
    public static partial void ProxyRejected(ILogger logger, string routeId, string error);

    [LoggerMessage(EventIds.StoreUnavailable, LogLevel.Warning, "The session store is unavailable ({Error}); answering 503.")]
    public static partial void StoreUnavailable(ILogger logger, string error);

    [LoggerMessage(EventIds.RefreshRefused, LogLevel.Warning, "Session {SessionHash}: the provider refused a token for {Target} ({Detail}); the session stays, that route fails.")]
    public static partial void RefreshRefused(ILogger logger, string sessionHash, string target, string detail);

    [LoggerMessage(EventIds.TargetUseNotRecorded, LogLevel.Warning, "Session {SessionHash}: recording the use of a resource token failed ({Error}); the next request tries again.")]
    public static partial void TargetUseNotRecorded(ILogger logger, string sessionHash, string error);

    [LoggerMessage(EventIds.TargetTokenDropped, LogLevel.Debug, "Session {SessionHash}: the token for {Target} went unused for its lifetime; dropped, not refreshed.")]
    public static partial void TargetTokenDropped(ILogger logger, string sessionHash, string target);

    [LoggerMessage(EventIds.ClientTokenFailed, LogLevel.Warning, "The gateway's own token for {Target} could not be obtained ({Detail}); answering 503 or 502 after a back-off.")]
    public static partial void ClientTokenFailed(ILogger logger, string target, string detail);

    [LoggerMessage(EventIds.LiveStreamsClosed, LogLevel.Information, "Session {SessionHash} ended: closed {Count} WebSocket(s) or event stream(s).")]
    public static partial void LiveStreamsClosed(ILogger logger, string sessionHash, int count);

    [LoggerMessage(EventIds.LiveStreamCheckFailed, LogLevel.Warning, "Session {SessionHash}: checking whether its live connections may stay failed ({Error}); checked again shortly.")]
    public static partial void LiveStreamCheckFailed(ILogger logger, string sessionHash, string error);
}
