namespace Bff.Diagnostics;

/// <summary>Every log event id of the gateway, in one place so they stay unique.</summary>
internal static class EventIds
{
    public const int InMemoryStoreInUse = 1;
    public const int RedisStoreInUse = 2;

    public const int SessionCreated = 100;
    public const int SessionEnded = 101;
    public const int SessionExpired = 102;
    public const int SessionUnreadable = 103;
    public const int SessionCacheSuspended = 104;
    public const int SessionCacheResumed = 105;
    public const int SessionChangePublishFailed = 106;
    public const int SignInUndone = 107;
    public const int HintUpdateFailed = 108;
    public const int TouchesFailed = 109;

    public const int Refreshed = 200;
    public const int RefreshRejected = 201;
    public const int RefreshFailed = 202;
    public const int RefreshCrashed = 203;
    public const int RefreshWaitTimedOut = 204;
    public const int StoreRetry = 205;
    public const int PublishFailed = 206;
    public const int FleetChannelResubscribing = 207;
    public const int LeaseRenewalFailed = 208;
    public const int RefreshRefused = 209;
    public const int TargetUseNotRecorded = 210;
    public const int TargetTokenDropped = 211;
    public const int ClientTokenFailed = 212;
    public const int NoRefreshTokenIssued = 213;

    public const int ProviderMetadataUnavailable = 300;
    public const int RevocationFailed = 301;
    public const int LoginUnavailable = 302;
    public const int SignInWithoutRefreshToken = 303;
    public const int SignInUnavailable = 304;

    public const int SweepFailed = 500;
    public const int SessionAbandoned = 501;
    public const int BackchannelLogoutRejected = 600;
    public const int BackchannelLogout = 601;

    public const int ProxyRejected = 400;
    public const int StoreUnavailable = 401;
    public const int LiveStreamsClosed = 402;
    public const int LiveStreamCheckFailed = 403;
}
