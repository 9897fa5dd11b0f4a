namespace Bff.Configuration;

/// <summary><c>Bff:Cookie</c>: the one cookie the browser holds (an opaque session id).</summary>
public sealed class BffCookieOptions
{
    public string Name { get; set; } = "__Host-bff";
    public SameSiteMode SameSite { get; set; } = SameSiteMode.Strict;
}
