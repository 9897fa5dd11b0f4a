using System.Diagnostics;
using System.Net;

namespace Bff.Tests.Infrastructure;

/// <summary>
/// Calls the API through whichever gateway instances are up, like a load balancer without session affinity:
/// on a refused connection or a 503 it tries the next instance, for at most ~3 s (the bounded retry window).
/// </summary>
public sealed class LoadBalancedClient : IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler { UseCookies = false, PooledConnectionLifetime = TimeSpan.FromSeconds(1) });
    private readonly List<GatewayProcess> _live;

    public LoadBalancedClient(List<GatewayProcess> live) => _live = live;

    /// <summary>The final status (null: no instance answered) and the time including retries.</summary>
    public async Task<(HttpStatusCode? Status, TimeSpan Elapsed)> GetAsync(string path, string sessionCookie, int n)
    {
        var started = Stopwatch.GetTimestamp();
        HttpStatusCode? status = null;
        for (var attempt = 0; attempt < 15; attempt++)
        {
            var candidates = Snapshot();
            var target = candidates[(n + attempt) % candidates.Count];
            using var request = new HttpRequestMessage(HttpMethod.Get, $"{target.Address}{path}");
            request.Headers.Add("Cookie", $"__Host-bff={sessionCookie}");
            request.Headers.Add("X-CSRF", "1");
            try
            {
                using var response = await _http.SendAsync(request);
                status = response.StatusCode;
                if (status != HttpStatusCode.ServiceUnavailable)
                {
                    break;
                }
            }
            catch (HttpRequestException)
            {
                status = null;
            }

            await Task.Delay(200);
        }

        return (status, Stopwatch.GetElapsedTime(started));
    }

    /// <summary>Replaces one instance: SIGTERM, wait for a clean exit, start another with the same configuration.</summary>
    public async Task ReplaceAsync(GatewayProcess retiring, Func<Task<GatewayProcess>> start)
    {
        lock (_live)
        {
            _live.Remove(retiring);
        }

        var exitCode = await retiring.TerminateAsync(TimeSpan.FromSeconds(60));
        await retiring.DisposeAsync();
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"A gateway exited with {exitCode} after SIGTERM.");
        }

        var replacement = await start();
        lock (_live)
        {
            _live.Add(replacement);
        }
    }

    public IReadOnlyList<GatewayProcess> Snapshot()
    {
        lock (_live)
        {
            return [.. _live];
        }
    }

    public void Dispose() => _http.Dispose();
}
