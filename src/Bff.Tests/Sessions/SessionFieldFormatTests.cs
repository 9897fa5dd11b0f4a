using Bff.Sessions;

namespace Bff.Tests.Sessions;

/// <summary>The request view's and the secrets' binary format: exact round trips, and nothing else accepted.</summary>
public sealed class SessionFieldFormatTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 12, 0, 0, 123, TimeSpan.FromHours(1));

    private static readonly SessionRecord Session = new()
    {
        Version = 7,
        Tokens = new TokenSet("access-1", "refresh-1", "id-1", Now.AddTicks(12_345)).With(
            new TokenTarget("https://orders.example", "orders.read", null), "orders-1", Now.AddMinutes(5), Now, null, null),
        Claims = [new SessionClaim("sub", "alice"), new SessionClaim("name", "Alice Ünicode"), new SessionClaim("empty", "")],
        CreatedAt = Now.AddDays(-1),
        LastActiveAt = Now,
        AbsoluteExpiresAt = Now.AddDays(6),
        LogoutId = "logout-id",
    };

    [Fact]
    public void a_request_view_round_trips_everything_but_the_secrets_to_the_tick()
    {
        var decoded = SessionFieldFormat.DecodeView(SessionFieldFormat.EncodeView(Session), Session.Version, Session.LastActiveAt, Session.AbsoluteExpiresAt);

        Assert.Equal(Session.WithoutSecrets().Tokens, decoded.Tokens);
        Assert.Equal(Session.Claims, decoded.Claims);
        Assert.Equal((Session.Version, Session.CreatedAt, Session.LastActiveAt, Session.AbsoluteExpiresAt, Session.LogoutId),
            (decoded.Version, decoded.CreatedAt, decoded.LastActiveAt, decoded.AbsoluteExpiresAt, decoded.LogoutId));
    }

    [Fact]
    public void claims_read_by_index_count_or_in_turn_are_the_ones_written_on_every_read()
    {
        var claims = SessionFieldFormat.DecodeView(SessionFieldFormat.EncodeView(Session), 1, Now, Now).Claims;

        Assert.Equal(3, claims.Count);
        Assert.Equal(Session.Claims[1], claims[1]);
        Assert.Equal(Session.Claims, claims);
        Assert.Equal(Session.Claims, claims.ToArray());
        Assert.Empty(SessionFieldFormat.DecodeView(SessionFieldFormat.EncodeView(Session with { Claims = [] }), 1, Now, Now).Claims);
    }

    [Theory]
    [InlineData("refresh-1", "id-1")]
    [InlineData("refresh-1", null)]
    [InlineData(null, null)]
    [InlineData("", "")]
    public void secrets_round_trip_including_absent_and_empty_tokens(string? refreshToken, string? idToken)
    {
        var encoded = SessionFieldFormat.EncodeSecrets(Session.Tokens with { RefreshToken = refreshToken, IdToken = idToken });

        Assert.Equal((refreshToken, idToken), SessionFieldFormat.DecodeSecrets(encoded));
    }

    [Fact]
    public void a_truncated_extended_or_foreign_view_is_rejected()
    {
        var encoded = SessionFieldFormat.EncodeView(Session);

        for (var length = 0; length < encoded.Length; length++)
        {
            Assert.Throws<InvalidDataException>(() => SessionFieldFormat.DecodeView(encoded[..length], 1, Now, Now));
        }

        Assert.Throws<InvalidDataException>(() => SessionFieldFormat.DecodeView([.. encoded, 0], 1, Now, Now));
        Assert.Throws<InvalidDataException>(() => SessionFieldFormat.DecodeView(SessionFieldFormat.EncodeSecrets(Session.Tokens), 1, Now, Now));
    }

    [Fact]
    public void a_view_decodes_each_access_token_into_the_header_value_a_request_sends()
    {
        var decoded = SessionFieldFormat.DecodeView(SessionFieldFormat.EncodeView(Session), Session.Version, Session.LastActiveAt, Session.AbsoluteExpiresAt);

        Assert.True(decoded.Tokens.TryGetAuthorization(TokenTarget.Login, out var login, out _));
        Assert.Equal("Bearer access-1", login);
        Assert.True(decoded.Tokens.TryGetAuthorization(new TokenTarget("https://orders.example", "orders.read", null), out var orders, out _));
        Assert.Equal("Bearer orders-1", orders);
    }

    [Theory]
    [InlineData((byte)'\n')]
    [InlineData((byte)' ')]
    [InlineData((byte)0xC3)]
    public void a_view_whose_access_token_a_header_cannot_carry_is_rejected(byte character)
    {
        var encoded = SessionFieldFormat.EncodeView(Session);
        encoded[encoded.AsSpan().IndexOf("access-1"u8) + 6] = character;

        Assert.Throws<InvalidDataException>(() => SessionFieldFormat.DecodeView(encoded, 1, Now, Now));
    }

    [Theory]
    [InlineData("a\r\nX-Injected: 1")]
    [InlineData("a b")]
    [InlineData("a\u00fc")]
    [InlineData("a\0")]
    public void a_token_a_header_cannot_carry_is_never_held(string accessToken)
    {
        Assert.False(BearerAuthorization.IsHeaderSafe(accessToken));
        Assert.Throws<ArgumentException>(() => new TokenSet(accessToken, "refresh", null, Now));
        Assert.Throws<ArgumentException>(() => Session.Tokens with { AccessToken = accessToken });
        Assert.Throws<ArgumentException>(() => new TargetToken(accessToken, Now, Now));
    }
}
