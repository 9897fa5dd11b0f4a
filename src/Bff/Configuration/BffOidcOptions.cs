namespace Bff.Configuration;

/// <summary><c>Bff:Oidc</c>: the identity provider and this gateway's client registration.</summary>
public sealed class BffOidcOptions
{
    public string Authority { get; set; } = "";
    public string ClientId { get; set; } = "";
    public string? ClientSecret { get; set; }
    public List<string> Scopes { get; set; } = [];
    public bool RequireHttpsMetadata { get; set; } = true;
}
