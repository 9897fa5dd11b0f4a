namespace Bff.Sessions;

/// <summary>An access token obtained for a <see cref="TokenTarget"/> other than the sign-in one.</summary>
/// <param name="IssuedAt">When it was requested: with <paramref name="ExpiresAt"/>, its lifetime, the window in which a target counts as in use.</param>
internal sealed record TargetToken(string AccessToken, DateTimeOffset ExpiresAt, DateTimeOffset IssuedAt)
{
    /// <summary>Never print tokens.</summary>
    public override string ToString() => $"TargetToken(expires {ExpiresAt:O})";
}
