using System.Collections.Concurrent;
using System.Diagnostics;
using Bff.Sessions;
using Bff.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Bff.Tests.Browser;

/// <summary>
/// Headless Chromium (Debian's, through Playwright) runs the demo page in two tabs against two gateway
/// instances, on the real clock, while 4-second access tokens expire several times: no tab is ever logged out,
/// no call fails, and the strict provider sees one refresh per rotation and no reuse.
/// </summary>
public sealed class BrowserEndToEndTests
{
    private const string Chromium = "/usr/bin/chromium";

    public sealed class WithSweeper() : BrowserFleet(sweeper: true);

    public sealed class RequestPathOnly() : BrowserFleet(sweeper: false);

    public sealed class SweeperOn(WithSweeper fleet) : IClassFixture<WithSweeper>
    {
        [Fact]
        public Task two_tabs_on_two_instances_stay_signed_in_across_several_token_lifetimes() => RunAsync(fleet);
    }

    public sealed class SweeperOff(RequestPathOnly fleet) : IClassFixture<RequestPathOnly>
    {
        [Fact]
        public Task two_tabs_on_two_instances_stay_signed_in_across_several_token_lifetimes() => RunAsync(fleet);
    }

    /// <summary>Real time: short tokens, a short refresh window, the demo page served by each gateway.</summary>
    public abstract class BrowserFleet : FleetFixture
    {
        protected BrowserFleet(bool sweeper) : base(instances: 2, sweeper: sweeper, realClock: true) =>
            Provider.Settings.AccessTokenLifetime = TimeSpan.FromSeconds(4);

        protected override Task ConfigureAsync(Dictionary<string, string?> configuration)
        {
            configuration["Bff:Tokens:RefreshBeforeExpiry"] = "00:00:01";
            configuration["Bff:Sweeper:Interval"] = "00:00:01";
            configuration["Bff:Frontend:Path"] = Path.Combine(AppContext.BaseDirectory, "demo-wwwroot");
            ResourceRoutes.AddTo(configuration);
            configuration["ReverseProxy:Routes:hubs:ClusterId"] = "api";
            configuration["ReverseProxy:Routes:hubs:Match:Path"] = "/hubs/{**rest}";
            configuration["ReverseProxy:Routes:hubs:Metadata:Bff.AccessToken"] = "User";
            return Task.CompletedTask;
        }
    }

    private static async Task RunAsync(FleetFixture fleet)
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: apt-get install -y chromium (test.sh does).");
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
        var context = await browser.NewContextAsync();
        // Everything Chromium receives goes past the leak witness too (DESIGN invariant 6). Each response is read
        // in a task of its own, awaited before the test ends (an event handler's own exception would crash the run).
        var recordings = new ConcurrentBag<Task>();
        context.Response += (_, response) => recordings.Add(RecordAsync(response));
        var refreshes = fleet.Provider.TokenLog.RefreshRequests;
        var reuses = fleet.Provider.TokenLog.Reuses;

        var first = await context.NewPageAsync();
        await first.GotoAsync(fleet.Gateways[0].Address + "/");
        await first.ClickAsync("#login");
        await first.FillAsync("#username", ProviderHost.User);
        await first.FillAsync("#password", ProviderHost.Password);
        await first.ClickAsync("#submit");
        await first.WaitForSelectorAsync("#signed-in:not([hidden])");

        // The second tab talks to the other instance; cookies are per host, so it shares the session.
        var second = await context.NewPageAsync();
        await second.GotoAsync(fleet.Gateways[1].Address + "/");
        await second.WaitForSelectorAsync("#signed-in:not([hidden])");

        // Seven rounds of three successful calls per tab (every 2 s): over 12 s, three 4-second token lifetimes
        // and more, for the sign-in token and the orders and billing APIs' own.
        foreach (var page in new[] { first, second })
        {
            await page.WaitForFunctionAsync("() => Number(document.querySelector('#calls').textContent) >= 21", null,
                new PageWaitForFunctionOptions { Timeout = 60_000 });
        }

        foreach (var page in new[] { first, second })
        {
            Assert.Equal("0", await page.TextContentAsync("#failures"));
            Assert.Equal("none", await page.TextContentAsync("#last-error"));
            Assert.False(await page.IsVisibleAsync("#anonymous"));
        }

        var cookie = (await context.CookiesAsync()).Single(c => c.Name == "__Host-bff");
        Assert.True(SessionKey.TryParse(cookie.Value, out var key));
        var session = await fleet.Gateways[0].Services.GetRequiredService<ISessionStore>().GetAsync(key, CancellationToken.None);
        Assert.NotNull(session);
        Assert.True(session.Version >= 4, $"expected at least three rotations, saw {session.Version - 1}");
        // Every provider call was stored (a version each; real time keeps running, so one more may be in flight).
        // A version without a call is a resource token the sweeper dropped because the page, stalled on a loaded
        // machine, did not use it for a whole 4-second lifetime.
        Assert.InRange(fleet.Provider.TokenLog.RefreshRequests - refreshes, 3, session.Version);
        Assert.Equal(reuses, fleet.Provider.TokenLog.Reuses);
        await LiveConnectionsAsync(fleet, first, second, key);

        // The pages keep calling: closing the context ends the responses still being read (their reads fail).
        await context.CloseAsync();
        await Task.WhenAll(recordings);
    }

    /// <summary>
    /// Each tab's WebSocket and event stream (through its own instance) stayed open across the rotations; a page on
    /// another origin of the same site cannot open them; a logout in the first tab closes the second tab's.
    /// </summary>
    private static async Task LiveConnectionsAsync(FleetFixture fleet, IPage first, IPage second, SessionKey key)
    {
        foreach (var page in new[] { first, second })
        {
            Assert.Equal("open", await page.TextContentAsync("#socket"));
            Assert.Equal("open", await page.TextContentAsync("#stream"));
            // Counts, not rates: on a loaded machine the page may have received fewer by now, so wait for them.
            await DeliveredAsync(page, "#socket-messages", 5, "the WebSocket stopped delivering");
            await DeliveredAsync(page, "#events", 20, "the event stream stopped delivering");
            // SignalR (the sample API's hub, JSON protocol over the WebSocket) through the same user route kind.
            Assert.Equal("open", await page.TextContentAsync("#hub"));
            await DeliveredAsync(page, "#hub-messages", 5, "the SignalR hub stopped delivering");
            Assert.StartsWith("tick ", await page.TextContentAsync("#hub-last"), StringComparison.Ordinal);
        }

        // The second tab's origin is the other instance's port of the same host: same site, so Chromium sends the
        // session cookie along to the first instance. Refused there, and nothing reaches the API.
        int Upstream(string path) => fleet.Provider.Upstream.Requests.Count(r => r.Path == path);
        var (sockets, streams) = (Upstream("/api/socket"), Upstream("/api/events"));
        Assert.Equal("refused", await second.EvaluateAsync<string>(OpenSocket, fleet.Gateways[0].Address));
        Assert.Equal("refused", await second.EvaluateAsync<string>(OpenStream, fleet.Gateways[0].Address));
        Assert.Equal((sockets, streams), (Upstream("/api/socket"), Upstream("/api/events")));

        // Timed from the session's end in the store (the logout first revokes the refresh token at the provider,
        // which takes its own time on a loaded machine).
        await first.ClickAsync("#logout");
        var store = fleet.Gateways[0].Services.GetRequiredService<ISessionStore>();
        await Eventually.HoldsAsync(async () => await store.GetAsync(key, CancellationToken.None) is null, "the logout to end the session",
            TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(20));
        var loggedOut = Stopwatch.StartNew();
        await second.WaitForFunctionAsync("() => ['#socket', '#stream', '#hub'].every(id => document.querySelector(id).textContent === 'closed')",
            null, new PageWaitForFunctionOptions { Timeout = 10_000 });
        // Chromium's own event loop on a loaded machine is part of this; LiveConnectionTests bounds the gateway's part (2 s).
        Assert.InRange(loggedOut.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(5));
        Assert.Equal("refused", await second.EvaluateAsync<string>(OpenSocket, fleet.Gateways[1].Address));
    }

    /// <summary>Waits (up to 30 s) until the page has counted at least <paramref name="atLeast"/> messages in <paramref name="counter"/>.</summary>
    private static async Task DeliveredAsync(IPage page, string counter, int atLeast, string failure)
    {
        try
        {
            await page.WaitForFunctionAsync("([id, n]) => Number(document.querySelector(id).textContent) >= n", new object[] { counter, atLeast },
                new PageWaitForFunctionOptions { Timeout = 30_000 });
        }
        catch (TimeoutException)
        {
            Assert.Fail($"{failure}: {await page.TextContentAsync(counter)} of {atLeast}");
        }
    }

    private const string OpenSocket = """
        address => new Promise(resolve => {
          const socket = new WebSocket(address.replace('http', 'ws') + '/api/socket');
          socket.onopen = () => { socket.close(); resolve('opened'); };
          socket.onerror = () => resolve('refused');
        })
        """;

    private const string OpenStream = """
        address => new Promise(resolve => {
          const stream = new EventSource(address + '/api/events', { withCredentials: true });
          stream.onopen = () => { stream.close(); resolve('opened'); };
          stream.onerror = () => { stream.close(); resolve('refused'); };
        })
        """;

    private static async Task RecordAsync(IResponse response)
    {
        try
        {
            var headers = string.Join('\n', (await response.AllHeadersAsync()).Select(h => $"{h.Key}: {h.Value}"));
            string body;
            try
            {
                body = await response.TextAsync();
            }
            catch (PlaywrightException)
            {
                body = ""; // a redirect or a response without a body
            }

            TokenWitness.Record($"{response.Status} {response.Url}\n{headers}\n{body}");
        }
        catch (PlaywrightException)
        {
            // The context closed while this response was read (Playwright's TargetClosedException): only the
            // pages' last polls, after every check above, go unrecorded.
        }
    }
}
