using System.Diagnostics;
using System.Net;
using System.Net.WebSockets;
using System.Text;
using Bff.Tests.Endpoints;
using Bff.Tests.Infrastructure;

namespace Bff.Tests.Proxy;

/// <summary>
/// WebSockets and event streams on a <c>User</c> route, over two instances: a browser cannot send X-CSRF on them,
/// so their Origin proves they come from the SPA (a page on another port of the same host gets the user's cookie
/// under SameSite=Strict, and is refused); and a session's end closes them on every instance (invariant 10).
/// </summary>
public sealed class LiveConnectionTests(TwoInstanceFleet fleet) : IClassFixture<TwoInstanceFleet>
{
    /// <summary>
    /// HTTP/2 WebSockets need an invoker (the default one speaks HTTP/1.1 only) that outlives the socket: its
    /// stream is one of the pooled connection's.
    /// </summary>
    private static readonly HttpMessageInvoker Http2Connections = new(new SocketsHttpHandler());

    [Fact]
    public async Task a_websocket_opens_from_the_gateways_own_origin_and_is_refused_from_another_origin_or_without_one()
    {
        var browsers = await fleet.SignInEverywhereAsync();
        var gateway = fleet.Gateways[0].Address;
        var upstream = fleet.Provider.Upstream.Requests.Count(r => r.Path == "/api/socket");

        using (var socket = await ConnectAsync(gateway, browsers[0], origin: gateway))
        {
            Assert.Equal(WebSocketState.Open, socket.State);
            Assert.Equal($"hello {ProviderHost.User}", await ReceiveTextAsync(socket));
        }

        // Another port of the same host: same site, so the cookie goes along; a foreign origin; none at all; a
        // browser that says the request is cross-site.
        foreach (var (origin, fetchSite) in new (string?, string?)[] { ("http://127.0.0.1:1", null), ("https://evil.example", null), (null, null), (gateway, "cross-site") })
        {
            var refused = await Assert.ThrowsAsync<WebSocketException>(() => ConnectAsync(gateway, browsers[0], origin, fetchSite));
            Assert.Contains("403", refused.Message, StringComparison.Ordinal);
        }

        Assert.Equal(upstream + 1, fleet.Provider.Upstream.Requests.Count(r => r.Path == "/api/socket"));
    }

    [Fact]
    public async Task an_event_stream_opens_from_the_gateways_own_origin_and_is_refused_from_another()
    {
        var browsers = await fleet.SignInEverywhereAsync();
        var gateway = fleet.Gateways[0].Address;
        using var http = new HttpClient();

        using (var stream = await OpenEventStreamAsync(http, gateway, browsers[0], origin: gateway))
        {
            Assert.Equal(HttpStatusCode.OK, stream.StatusCode);
            using var reader = new StreamReader(await stream.Content.ReadAsStreamAsync());
            Assert.Equal($"data: {ProviderHost.User} 1", await reader.ReadLineAsync());
        }

        // A browser's same-origin EventSource sends no Origin, only Sec-Fetch-Site.
        using (var sameOrigin = await OpenEventStreamAsync(http, gateway, browsers[0], origin: null, fetchSite: "same-origin"))
        {
            Assert.Equal(HttpStatusCode.OK, sameOrigin.StatusCode);
        }

        foreach (var (origin, fetchSite) in new (string?, string?)[] { ("http://127.0.0.1:1", null), (null, "same-site"), (null, null) })
        {
            using var refused = await OpenEventStreamAsync(http, gateway, browsers[0], origin, fetchSite);
            await LoginTests.AssertProblemAsync(refused, HttpStatusCode.Forbidden, "csrf");
        }
    }

    [Fact]
    public async Task a_logout_on_one_instance_closes_the_socket_and_the_stream_held_through_the_other_within_a_second()
    {
        var browsers = await fleet.SignInEverywhereAsync();
        var other = fleet.Gateways[1].Address;
        using var socket = await ConnectAsync(other, browsers[1], origin: other);
        Assert.Equal($"hello {ProviderHost.User}", await ReceiveTextAsync(socket));
        using var http = new HttpClient();
        using var stream = await OpenEventStreamAsync(http, other, browsers[1], origin: other);
        using var events = new StreamReader(await stream.Content.ReadAsStreamAsync());
        Assert.NotNull(await events.ReadLineAsync());

        var logout = new HttpRequestMessage(HttpMethod.Post, "/bff/logout");
        logout.Headers.Add("X-CSRF", "1");
        await browsers[0].SendAsync(logout);
        var loggedOut = Stopwatch.StartNew();

        // The socket ends (an abort, not a close handshake) and the stream stops, both within about a second.
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        Assert.True(await EndsAsync(() => ReceiveTextAsync(socket, patience.Token)), "the socket stayed open after logout");
        Assert.True(await EndsAsync(async () => _ = await events.ReadLineAsync(patience.Token) ?? throw new EndOfStreamException()), "the event stream went on after logout");
        Assert.InRange(loggedOut.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(2));

        var reconnect = await Assert.ThrowsAsync<WebSocketException>(() => ConnectAsync(other, browsers[1], origin: other));
        Assert.Contains("401", reconnect.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task a_session_that_expires_while_idle_closes_its_socket_without_any_logout()
    {
        var browsers = await fleet.SignInEverywhereAsync();
        var other = fleet.Gateways[1].Address;
        using var socket = await ConnectAsync(other, browsers[1], origin: other);
        Assert.Equal($"hello {ProviderHost.User}", await ReceiveTextAsync(socket));

        // Nothing publishes an idle expiry: the instance's own check, once the session's end has passed, closes it.
        var session = await fleet.Gateways[1].SessionOfAsync(browsers[1]);
        fleet.Clock.SetUtcNow(session.ExpiresAt(TimeSpan.Parse(fleet.Configuration.GetValueOrDefault("Bff:Session:IdleTimeout") ?? "08:00:00", System.Globalization.CultureInfo.InvariantCulture)) + TimeSpan.FromSeconds(1));
        fleet.Clock.Advance(TimeSpan.FromSeconds(1));

        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        Assert.True(await EndsAsync(() => ReceiveTextAsync(socket, patience.Token)), "the socket stayed open after the session expired");
    }

    [Fact]
    public async Task a_websocket_over_http2_extended_connect_is_checked_by_its_origin_and_carries_the_token()
    {
        var browsers = await fleet.SignInEverywhereAsync();
        // A third instance of the same fleet that speaks HTTP/2 on plain http (prior knowledge), as a gateway
        // behind an HTTP/2 ingress does: a WebSocket is then an extended CONNECT (RFC 8441), with no Upgrade header.
        var configuration = new Dictionary<string, string?>(fleet.Configuration) { ["Kestrel:EndpointDefaults:Protocols"] = "Http2" };
        await using var http2 = await GatewayHost.StartAsync(fleet.Provider, configuration, GatewayHost.WithClock(fleet.Clock));

        using (var socket = await ConnectAsync(http2.Address, browsers[0], origin: http2.Address, http2: true))
        {
            Assert.Equal(WebSocketState.Open, socket.State);
            Assert.Equal($"hello {ProviderHost.User}", await ReceiveTextAsync(socket));
        }

        var refused = await Assert.ThrowsAsync<WebSocketException>(() => ConnectAsync(http2.Address, browsers[0], origin: "http://127.0.0.1:1", http2: true));
        Assert.Contains("403", refused.Message, StringComparison.Ordinal);
    }

    private static async Task<ClientWebSocket> ConnectAsync(string gateway, BrowserClient browser, string? origin, string? fetchSite = null, bool http2 = false)
    {
        var socket = new ClientWebSocket();
        if (http2)
        {
            socket.Options.HttpVersion = HttpVersion.Version20;
            socket.Options.HttpVersionPolicy = HttpVersionPolicy.RequestVersionExact;
        }

        socket.Options.SetRequestHeader("Cookie", $"__Host-bff={browser.GatewayCookie("__Host-bff")!.Value}");
        if (origin is not null)
        {
            socket.Options.SetRequestHeader("Origin", origin);
        }

        if (fetchSite is not null)
        {
            socket.Options.SetRequestHeader("Sec-Fetch-Site", fetchSite);
        }

        try
        {
            var uri = new Uri(gateway.Replace("http://", "ws://", StringComparison.Ordinal) + "/api/socket");
            await socket.ConnectAsync(uri, http2 ? Http2Connections : null, CancellationToken.None);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Reads until the connection fails or ends: true; false when the patience given to the reads ran out.</summary>
    private static async Task<bool> EndsAsync(Func<Task> read)
    {
        try
        {
            while (true)
            {
                await read();
            }
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (Exception exception) when (exception is WebSocketException or IOException or HttpRequestException or EndOfStreamException)
        {
            return true;
        }
    }

    private static async Task<string> ReceiveTextAsync(ClientWebSocket socket, CancellationToken cancellationToken = default)
    {
        var buffer = new byte[4096];
        var received = await socket.ReceiveAsync(buffer, cancellationToken);
        return received.MessageType == WebSocketMessageType.Close ? throw new WebSocketException("closed") : Encoding.UTF8.GetString(buffer, 0, received.Count);
    }

    private static Task<HttpResponseMessage> OpenEventStreamAsync(HttpClient http, string gateway, BrowserClient browser, string? origin, string? fetchSite = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, gateway + "/api/events");
        request.Headers.Add("Accept", "text/event-stream");
        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }

        if (fetchSite is not null)
        {
            request.Headers.Add("Sec-Fetch-Site", fetchSite);
        }

        request.Headers.Add("Cookie", $"__Host-bff={browser.GatewayCookie("__Host-bff")!.Value}");
        return http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }
}
