namespace Bff.Configuration;

/// <summary><c>Bff:Tokens:RefreshRequest</c>: where and how refresh requests are sent.</summary>
public sealed class BffRefreshRequestOptions
{
    public RefreshRequestFormat Format { get; set; } = RefreshRequestFormat.Form;

    /// <summary>The refresh endpoint; empty uses the discovery document's <c>token_endpoint</c>. Required for <see cref="RefreshRequestFormat.Json"/>.</summary>
    public string? Endpoint { get; set; }

    /// <summary>Extra headers on refresh requests (e.g. Supabase's <c>apikey</c>).</summary>
    public Dictionary<string, string> Headers { get; set; } = [];
}
