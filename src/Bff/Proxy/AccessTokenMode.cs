namespace Bff.Proxy;

/// <summary>Route metadata <c>Bff.AccessToken</c>: which token the gateway attaches to a proxied request.</summary>
internal enum AccessTokenMode
{
    /// <summary>Anonymous route: nothing attached (the default when the metadata is absent).</summary>
    None,

    /// <summary>Requires a session; attaches the user's access token.</summary>
    User,

    /// <summary>Attaches the user's access token when there is a session; anonymous otherwise.</summary>
    UserOrNone,

    /// <summary>Attaches the gateway's own token (client credentials); no session needed, none used.</summary>
    Client,

    /// <summary>Attaches the user's access token when there is a session, the gateway's own token otherwise.</summary>
    UserOrClient,
}
