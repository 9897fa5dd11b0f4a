namespace Bff.Tests.Infrastructure;

/// <summary>A cookie as the browser stored it, with the full Set-Cookie header for attribute checks.</summary>
public sealed record CookieRecord(string Name, string Value, string SetCookieHeader);
