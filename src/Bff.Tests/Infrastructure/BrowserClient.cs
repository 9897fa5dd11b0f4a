using System.Net;
using System.Text.RegularExpressions;

namespace Bff.Tests.Infrastructure;

/// <summary>
/// A browser stand-in over HttpClient: keeps cookies per origin (sending Secure cookies over http://127.0.0.1
/// as Chromium does for loopback, which .NET's CookieContainer will not), follows redirects and the provider's
/// form_post page by hand, and keeps every response it received so tests can scan them for tokens.
/// </summary>
public sealed partial class BrowserClient : IDisposable
{
    // Test servers on loopback (nginx terminating TLS) use self-signed certificates.
    private readonly HttpClient _http = new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        UseCookies = false,
        SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
    });
    private readonly Dictionary<string, Dictionary<string, CookieRecord>> _cookies = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<string> _responses = [];

    /// <param name="gateway">The gateway's origin.</param>
    /// <param name="pathBase">The path the gateway is served under (<c>Bff:PathBase</c>): relative paths go below it.</param>
    public BrowserClient(string gateway, string pathBase = "")
    {
        Gateway = new Uri(gateway);
        PathBase = pathBase;
    }

    public Uri Gateway { get; }

    public string PathBase { get; }

    /// <summary>Every response (status line, headers, body) this browser received.</summary>
    public IReadOnlyList<string> Responses
    {
        get
        {
            lock (_responses)
            {
                return [.. _responses];
            }
        }
    }

    public CookieRecord? GatewayCookie(string name) =>
        _cookies.TryGetValue(Gateway.Authority, out var jar) && jar.TryGetValue(name, out var cookie) ? cookie : null;

    public void SetGatewayCookie(string name, string value)
    {
        lock (_cookies)
        {
            Jar(Gateway)[name] = new CookieRecord(name, value, $"{name}={value}");
        }
    }

    /// <summary>Signs in on the first gateway and returns one browser per gateway sharing that session cookie.</summary>
    public static async Task<BrowserClient[]> SignInEverywhereAsync(IEnumerable<GatewayHost> gateways)
    {
        var browsers = gateways.Select(g => new BrowserClient(g.Address)).ToArray();
        await browsers[0].LoginAsync();
        var cookie = browsers[0].GatewayCookie("__Host-bff")!.Value;
        foreach (var browser in browsers.Skip(1))
        {
            browser.SetGatewayCookie("__Host-bff", cookie);
        }

        return browsers;
    }

    /// <summary>Signs in through the gateway and the provider's real login form; returns the final response.</summary>
    public async Task<HttpResponseMessage> LoginAsync(
        string user = ProviderHost.User,
        string password = ProviderHost.Password,
        string returnUrl = "/",
        Action<Uri, Dictionary<string, string>>? onCallback = null)
    {
        var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, $"/bff/login?returnUrl={Uri.EscapeDataString(returnUrl)}"));
        for (var step = 0; step < 20; step++)
        {
            var location = response.Headers.Location;
            var page = response.Content is null ? "" : await response.Content.ReadAsStringAsync();
            var url = response.RequestMessage!.RequestUri!;
            if (location is not null && (int)response.StatusCode is >= 300 and < 400)
            {
                var next = new Uri(url, location);
                if (next.Authority == Gateway.Authority && next.AbsolutePath == PathBase + returnUrl.Split('?')[0] && url.AbsolutePath == PathBase + "/signin-oidc")
                {
                    return response;
                }

                response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, next));
            }
            else if (url.AbsolutePath == "/account/login" || page.Contains("id=\"username\"", StringComparison.Ordinal))
            {
                var fields = HiddenFields(page);
                fields["username"] = user;
                fields["password"] = password;
                response = await PostFormAsync(new Uri(url, FormAction(page)), fields);
            }
            else if (FormActionRegex().IsMatch(page))
            {
                // The provider's response_mode=form_post page: post its hidden fields to the gateway's callback.
                var callback = new Uri(url, FormAction(page));
                var fields = HiddenFields(page);
                onCallback?.Invoke(callback, fields);
                response = await PostFormAsync(callback, fields);
            }
            else
            {
                throw new InvalidOperationException($"Login stopped at {(int)response.StatusCode} {url}: {page}");
            }
        }

        throw new InvalidOperationException("Login did not finish within 20 steps.");
    }

    public Task<HttpResponseMessage> GetAsync(string path, bool csrf = true, CancellationToken cancellationToken = default)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (csrf)
        {
            request.Headers.Add("X-CSRF", "1");
        }

        return SendAsync(request, cancellationToken);
    }

    public async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken = default)
    {
        request.RequestUri = request.RequestUri!.IsAbsoluteUri ? request.RequestUri : new Uri(Gateway, PathBase + request.RequestUri);
        lock (_cookies)
        {
            if (_cookies.TryGetValue(request.RequestUri.Authority, out var jar) && jar.Count > 0)
            {
                request.Headers.Add("Cookie", string.Join("; ", jar.Values.Select(c => $"{c.Name}={c.Value}")));
            }
        }

        var response = await _http.SendAsync(request, cancellationToken);
        await response.Content.LoadIntoBufferAsync();
        StoreCookies(request.RequestUri, response);
        var record = $"{(int)response.StatusCode} {request.RequestUri}\n{response.Headers}{response.Content.Headers}\n{await response.Content.ReadAsStringAsync()}";
        lock (_responses)
        {
            _responses.Add(record);
        }

        TokenWitness.Record(record);
        return response;
    }

    public void Dispose() => _http.Dispose();

    public Task<HttpResponseMessage> PostFormAsync(Uri action, Dictionary<string, string> fields) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Post, action) { Content = new FormUrlEncodedContent(fields) });

    private void StoreCookies(Uri uri, HttpResponseMessage response)
    {
        if (!response.Headers.TryGetValues("Set-Cookie", out var headers))
        {
            return;
        }

        lock (_cookies)
        {
            var jar = Jar(uri);
            foreach (var header in headers)
            {
                var nameValue = header.Split(';')[0];
                var separator = nameValue.IndexOf('=', StringComparison.Ordinal);
                var name = nameValue[..separator].Trim();
                var value = nameValue[(separator + 1)..].Trim();
                var expired = header.Contains("expires=Thu, 01 Jan 1970", StringComparison.OrdinalIgnoreCase);
                if (expired || value.Length == 0)
                {
                    jar.Remove(name);
                }
                else
                {
                    jar[name] = new CookieRecord(name, value, header);
                }
            }
        }
    }

    private Dictionary<string, CookieRecord> Jar(Uri uri)
    {
        if (!_cookies.TryGetValue(uri.Authority, out var jar))
        {
            _cookies[uri.Authority] = jar = new Dictionary<string, CookieRecord>(StringComparer.Ordinal);
        }

        return jar;
    }

    private static string FormAction(string page) => WebUtility.HtmlDecode(FormActionRegex().Match(page).Groups[1].Value);

    private static Dictionary<string, string> HiddenFields(string page) =>
        HiddenInputRegex().Matches(page).ToDictionary(
            m => WebUtility.HtmlDecode(m.Groups["name"].Value),
            m => WebUtility.HtmlDecode(m.Groups["value"].Value));

    [GeneratedRegex("<form[^>]*action=\"([^\"]*)\"", RegexOptions.IgnoreCase)]
    private static partial Regex FormActionRegex();

    [GeneratedRegex("<input[^>]*type=\"hidden\"[^>]*name=\"(?<name>[^\"]*)\"[^>]*value=\"(?<value>[^\"]*)\"", RegexOptions.IgnoreCase)]
    private static partial Regex HiddenInputRegex();
}
