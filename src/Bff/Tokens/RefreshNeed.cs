using Bff.Sessions;

namespace Bff.Tokens;

/// <summary>What a flight is for: a session's token for one target, and which token made it necessary.</summary>
/// <param name="ObservedToken">The token the caller saw (null: none yet).</param>
/// <param name="EvenIfValid">
/// Replace <paramref name="ObservedToken"/> although it has not expired (an upstream 401, the sweeper ahead of
/// expiry); otherwise refresh only a token that needs it.
/// </param>
internal sealed record RefreshNeed(SessionKey Key, TokenTarget Target, string? ObservedToken, bool EvenIfValid, RefreshTrigger Trigger)
{
    /// <summary>One flight per session and target in a process; every flight of a session shares its one lock.</summary>
    public string FlightKey { get; } = FlightKeyOf(Key, Target);

    public static string FlightKeyOf(SessionKey key, TokenTarget target) => target.IsLogin ? key.Hash : key.Hash + "\u001f" + target.Id;

    /// <summary>Whether <paramref name="tokens"/> (as stored now) still lack what this flight is for.</summary>
    public bool IsNeededBy(TokenSet tokens, DateTimeOffset now, TimeSpan refreshBeforeExpiry)
    {
        if (tokens.AccessTokenFor(Target) is not { } held)
        {
            return true;
        }

        return EvenIfValid ? string.Equals(held, ObservedToken, StringComparison.Ordinal) : tokens.NeedsRefresh(Target, now, refreshBeforeExpiry);
    }
}
