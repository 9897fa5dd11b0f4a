using Bff.Sessions;
using Microsoft.Extensions.Time.Testing;

namespace Bff.Tests.Sessions;

/// <summary>
/// The behaviour every <see cref="ISessionStore"/> must have. The in-memory and the Redis store both run it,
/// so the embedded default and production cannot drift apart.
/// </summary>
public abstract class SessionStoreContract
{
    protected static readonly TimeSpan IdleTimeout = TimeSpan.FromHours(1);
    protected static readonly TimeSpan AbsoluteTimeout = TimeSpan.FromHours(8);

    protected FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    /// <summary>A store configured with <see cref="IdleTimeout"/> and <see cref="AbsoluteTimeout"/> on <see cref="Clock"/>.</summary>
    private protected abstract ISessionStore Store { get; }

    private protected SessionRecord NewSession(string accessToken = "access-1") => new()
    {
        Version = 1,
        Tokens = new TokenSet(accessToken, "refresh-1", "id-1", Clock.GetUtcNow().AddMinutes(5)),
        Claims = [new SessionClaim("sub", "alice"), new SessionClaim("name", "Alice")],
        CreatedAt = Clock.GetUtcNow(),
        LastActiveAt = Clock.GetUtcNow(),
        AbsoluteExpiresAt = Clock.GetUtcNow() + AbsoluteTimeout,
        LogoutId = "logout-id",
    };

    [Fact]
    public async Task an_unknown_session_is_null()
    {
        Assert.Null(await Store.GetAsync(SessionKey.CreateNew(), CancellationToken.None));
    }

    [Fact]
    public async Task a_created_session_reads_back_unchanged()
    {
        var key = SessionKey.CreateNew();
        var session = NewSession();

        await Store.CreateAsync(key, session, CancellationToken.None);
        var read = await Store.GetAsync(key, CancellationToken.None);

        Assert.NotNull(read);
        Assert.Equal(session.Version, read.Version);
        Assert.Equal(session.Tokens, read.Tokens);
        Assert.Equal(session.Claims, read.Claims);
        Assert.Equal(session.LogoutId, read.LogoutId);
        Assert.Equal(session.AbsoluteExpiresAt.ToUnixTimeMilliseconds(), read.AbsoluteExpiresAt.ToUnixTimeMilliseconds());
    }

    [Fact]
    public async Task the_request_view_is_the_session_without_its_refresh_and_id_tokens_before_and_after_a_token_write()
    {
        var key = SessionKey.CreateNew();
        var session = NewSession() with
        {
            Tokens = NewSession().Tokens.With(new TokenTarget("https://orders.example", null, null), "orders-1", Clock.GetUtcNow().AddMinutes(7), Clock.GetUtcNow(), null, null),
        };
        await Store.CreateAsync(key, session, CancellationToken.None);

        var view = await Store.GetRequestViewAsync(key, CancellationToken.None);

        Assert.NotNull(view);
        Assert.Equal(session.Tokens with { RefreshToken = null, IdToken = null }, view.Tokens);
        Assert.Equal(session.Claims, view.Claims);
        Assert.Equal((session.Version, session.LogoutId, session.CreatedAt), (view.Version, view.LogoutId, view.CreatedAt));
        var refreshed = session.Tokens with { AccessToken = "access-2", RefreshToken = "refresh-2" };
        await Store.TryReplaceTokensAsync(key, (await Store.GetAsync(key, CancellationToken.None))!, refreshed, CancellationToken.None);
        Assert.Equal(refreshed with { RefreshToken = null, IdToken = null }, (await Store.GetRequestViewAsync(key, CancellationToken.None))!.Tokens);
        Assert.Equal(refreshed, (await Store.GetAsync(key, CancellationToken.None))!.Tokens);
        await Store.RemoveAsync(key, CancellationToken.None);
        Assert.Null(await Store.GetRequestViewAsync(key, CancellationToken.None));
    }

    [Fact]
    public async Task a_fenced_write_with_the_current_version_replaces_the_tokens_and_increments_the_version()
    {
        var key = SessionKey.CreateNew();
        await Store.CreateAsync(key, NewSession(), CancellationToken.None);
        var current = await Store.GetAsync(key, CancellationToken.None);
        var refreshed = new TokenSet("access-2", "refresh-2", "id-1", Clock.GetUtcNow().AddMinutes(10));

        var written = await Store.TryReplaceTokensAsync(key, current!, refreshed, CancellationToken.None);

        Assert.NotNull(written);
        Assert.Equal(2, written.Version);
        var read = await Store.GetAsync(key, CancellationToken.None);
        Assert.Equal(2, read!.Version);
        Assert.Equal(refreshed, read.Tokens);
    }

    [Fact]
    public async Task a_token_replace_keeps_the_claims_the_logout_id_and_the_timestamps_including_a_touch_after_the_read()
    {
        var key = SessionKey.CreateNew();
        var created = NewSession();
        await Store.CreateAsync(key, created, CancellationToken.None);
        var readUnderLock = await Store.GetAsync(key, CancellationToken.None);
        Clock.Advance(TimeSpan.FromMinutes(2));
        var touchedAt = Clock.GetUtcNow();
        await Store.TouchAsync([new SessionTouch(key, touchedAt)], CancellationToken.None);

        var written = await Store.TryReplaceTokensAsync(key, readUnderLock!, new TokenSet("access-2", "refresh-2", null, touchedAt.AddMinutes(5)), CancellationToken.None);

        Assert.NotNull(written);
        var read = await Store.GetAsync(key, CancellationToken.None);
        Assert.Equal("access-2", read!.Tokens.AccessToken);
        Assert.Equal(created.Claims, read.Claims);
        Assert.Equal(created.LogoutId, read.LogoutId);
        Assert.Equal(created.CreatedAt.ToUnixTimeMilliseconds(), read.CreatedAt.ToUnixTimeMilliseconds());
        Assert.Equal(created.AbsoluteExpiresAt.ToUnixTimeMilliseconds(), read.AbsoluteExpiresAt.ToUnixTimeMilliseconds());
        // The touch that came between the read and the write stays: the replace does not roll activity back.
        Assert.Equal(touchedAt.ToUnixTimeMilliseconds(), read.LastActiveAt.ToUnixTimeMilliseconds());
    }

    /// <summary>
    /// The store's own compare-and-set, with nothing before it to catch the stale writer: both writers read
    /// version 1 (as two lock holders whose leases overlapped would), the first wins, the second must lose.
    /// </summary>
    [Fact]
    public async Task a_stale_writer_cannot_overwrite_newer_tokens()
    {
        var key = SessionKey.CreateNew();
        await Store.CreateAsync(key, NewSession(), CancellationToken.None);
        var readByBoth = await Store.GetAsync(key, CancellationToken.None);
        var newer = new TokenSet("access-new", "refresh-new", null, Clock.GetUtcNow().AddMinutes(10));
        var stale = new TokenSet("access-stale", "refresh-stale", null, Clock.GetUtcNow().AddMinutes(10));
        Assert.NotNull(await Store.TryReplaceTokensAsync(key, readByBoth!, newer, CancellationToken.None));

        var staleWrite = await Store.TryReplaceTokensAsync(key, readByBoth!, stale, CancellationToken.None);

        Assert.Null(staleWrite);
        var read = await Store.GetAsync(key, CancellationToken.None);
        Assert.Equal(newer, read!.Tokens);
        Assert.Equal(2, read.Version);
    }

    [Fact]
    public async Task concurrent_fenced_writes_from_one_version_let_exactly_one_win()
    {
        var key = SessionKey.CreateNew();
        await Store.CreateAsync(key, NewSession(), CancellationToken.None);
        var current = await Store.GetAsync(key, CancellationToken.None);

        var writes = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(() =>
            Store.TryReplaceTokensAsync(key, current!, new TokenSet($"access-{i}", $"refresh-{i}", null, Clock.GetUtcNow().AddMinutes(5)), CancellationToken.None))));

        var winner = Assert.Single(writes, w => w is not null);
        var read = await Store.GetAsync(key, CancellationToken.None);
        Assert.Equal(winner!.Tokens, read!.Tokens);
        Assert.Equal(2, read.Version);
    }

    [Fact]
    public async Task a_fenced_write_to_a_removed_session_does_not_resurrect_it()
    {
        var key = SessionKey.CreateNew();
        await Store.CreateAsync(key, NewSession(), CancellationToken.None);
        var current = await Store.GetAsync(key, CancellationToken.None);
        await Store.RemoveAsync(key, CancellationToken.None);

        Assert.Null(await Store.TryReplaceTokensAsync(key, current!, NewSession("x").Tokens, CancellationToken.None));
        Assert.Null(await Store.GetAsync(key, CancellationToken.None));
    }

    [Fact]
    public async Task a_session_idle_past_the_idle_timeout_is_gone_and_touching_slides_it()
    {
        var idle = SessionKey.CreateNew();
        var used = SessionKey.CreateNew();
        await Store.CreateAsync(idle, NewSession(), CancellationToken.None);
        await Store.CreateAsync(used, NewSession(), CancellationToken.None);

        Clock.Advance(IdleTimeout / 2);
        await Store.TouchAsync([new SessionTouch(used, Clock.GetUtcNow())], CancellationToken.None);
        Clock.Advance(IdleTimeout / 2 + TimeSpan.FromSeconds(1));

        Assert.Null(await Store.GetAsync(idle, CancellationToken.None));
        var read = await Store.GetAsync(used, CancellationToken.None);
        Assert.NotNull(read);
        Assert.Equal(1, read.Version);
    }

    [Fact]
    public async Task touches_written_together_slide_each_session_only_forward_and_bring_none_back()
    {
        var slid = SessionKey.CreateNew();
        var ahead = SessionKey.CreateNew();
        var removed = SessionKey.CreateNew();
        foreach (var key in new[] { slid, ahead, removed })
        {
            await Store.CreateAsync(key, NewSession(), CancellationToken.None);
        }

        var before = Clock.GetUtcNow();
        Clock.Advance(TimeSpan.FromMinutes(10));
        await Store.TouchAsync([new SessionTouch(ahead, Clock.GetUtcNow())], CancellationToken.None);
        var aheadAt = Clock.GetUtcNow();
        await Store.RemoveAsync(removed, CancellationToken.None);
        Clock.Advance(TimeSpan.FromMinutes(10));

        await Store.TouchAsync(
            [new SessionTouch(slid, Clock.GetUtcNow()), new SessionTouch(ahead, before), new SessionTouch(removed, Clock.GetUtcNow())],
            CancellationToken.None);

        Assert.Equal(Clock.GetUtcNow().ToUnixTimeMilliseconds(), (await Store.GetAsync(slid, CancellationToken.None))!.LastActiveAt.ToUnixTimeMilliseconds());
        Assert.Equal(aheadAt.ToUnixTimeMilliseconds(), (await Store.GetAsync(ahead, CancellationToken.None))!.LastActiveAt.ToUnixTimeMilliseconds());
        Assert.Null(await Store.GetAsync(removed, CancellationToken.None));
    }

    [Fact]
    public async Task the_absolute_timeout_ends_a_session_however_active()
    {
        var key = SessionKey.CreateNew();
        await Store.CreateAsync(key, NewSession(), CancellationToken.None);

        for (var elapsed = TimeSpan.Zero; elapsed < AbsoluteTimeout; elapsed += IdleTimeout / 2)
        {
            Clock.Advance(IdleTimeout / 2);
            await Store.TouchAsync([new SessionTouch(key, Clock.GetUtcNow())], CancellationToken.None);
        }

        Assert.Null(await Store.GetAsync(key, CancellationToken.None));
    }

    [Fact]
    public async Task a_removed_session_is_gone()
    {
        var key = SessionKey.CreateNew();
        await Store.CreateAsync(key, NewSession(), CancellationToken.None);

        await Store.RemoveAsync(key, CancellationToken.None);

        Assert.Null(await Store.GetAsync(key, CancellationToken.None));
    }

    [Fact]
    public async Task a_target_tokens_use_is_recorded_only_forward_never_before_its_instant_and_not_for_a_missing_session()
    {
        var key = SessionKey.CreateNew();
        await Store.CreateAsync(key, NewSession(), CancellationToken.None);
        var at = Clock.GetUtcNow() + TimeSpan.FromTicks(1234);

        await Store.MarkUsedAsync(key, "orders", at);
        await Store.MarkUsedAsync(key, "orders", at - TimeSpan.FromMinutes(1));

        Assert.InRange(await Store.LastUsedAsync(key, "orders") ?? default, at, at + TimeSpan.FromMilliseconds(1));
        Assert.Null(await Store.LastUsedAsync(key, "billing"));
        // Not a token write: the version stays.
        Assert.Equal(1, (await Store.GetAsync(key, CancellationToken.None))!.Version);

        var missing = SessionKey.CreateNew();
        await Store.MarkUsedAsync(missing, "orders", at);
        Assert.Null(await Store.LastUsedAsync(missing, "orders"));
        Assert.Null(await Store.GetAsync(missing, CancellationToken.None));

        await Store.RemoveAsync(key, CancellationToken.None);
        Assert.Null(await Store.LastUsedAsync(key, "orders"));
    }
}
