namespace Bff.Configuration;

/// <summary><c>Bff:Oidc</c>: the identity provider and this gateway's client registration.</summary>
public sealed class BffOidcOptions
{
    public string Authority { get; set; } = "";
    public string ClientId { get; set; } = "";
    public string? ClientSecret { get; set; }
    public List<string> Scopes { get; set; } = [];
    public bool RequireHttpsMetadata { get; set; } = true;

    /// <summary>
    /// <c>prompt</c> on every authorization request (e.g. <c>consent</c>: OpenID Connect Core §11 lets a provider
    /// grant offline access, so a refresh token, only with it). Empty: none sent.
    /// </summary>
    public string? Prompt { get; set; }

    /// <summary>Extra authorization request parameters, such as Google's <c>access_type=offline</c>.</summary>
    public Dictionary<string, string> AuthorizeParameters { get; set; } = [];

    /// <summary>
    /// How this confidential client authenticates at the token and revocation endpoints: <c>client_secret_post</c>,
    /// <c>client_secret_basic</c>, or <c>auto</c> (post, unless discovery lists basic only). Set it to the method
    /// the client is registered with when the provider enforces one (oidc-provider does).
    /// </summary>
    public string ClientAuthentication { get; set; } = "auto";
}
