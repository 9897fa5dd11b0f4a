using System.Text.RegularExpressions;

namespace Bff.Tests.Infrastructure;

/// <summary>
/// Debian's nginx running the configuration deploy/compose ships (<c>deploy/compose/nginx.conf</c>), with its
/// certificate from <c>deploy/compose/tls-cert.sh</c>: TLS terminated in front of gateway instances on plain
/// http, round robin, <c>X-Forwarded-Proto</c>, <c>-Host</c> and <c>-For</c> set, WebSocket upgrades passed on,
/// and plain http redirected. Only its ports, upstream servers and certificate folder are replaced; a change to
/// the shipped file that this cannot follow fails loudly.
/// </summary>
public sealed partial class TlsNginx : IDisposable
{
    private readonly NginxProcess _nginx;

    private TlsNginx(NginxProcess nginx, string address, string plainAddress)
    {
        _nginx = nginx;
        Address = address;
        PlainAddress = plainAddress;
    }

    /// <summary>The https origin browsers use.</summary>
    public string Address { get; }

    /// <summary>The plain http listener, which only redirects to <see cref="Address"/>.</summary>
    public string PlainAddress { get; }

    public static async Task<TlsNginx> StartAsync(IEnumerable<string> gateways)
    {
        var folder = NginxProcess.NewFolder("bff-tls-nginx-");
        await Command.RunCheckedAsync("sh", Repository.PathOf("deploy/compose/tls-cert.sh"), folder);
        var (port, plainPort) = (RedisServer.FreeTcpPort(), RedisServer.FreeTcpPort());
        var shipped = await File.ReadAllTextAsync(Repository.PathOf("deploy/compose/nginx.conf"));
        var http = HttpBlock(shipped);
        http = Replace(http, "listen 127.0.0.1:5443 ssl;", $"listen 127.0.0.1:{port} ssl;");
        http = Replace(http, "listen 127.0.0.1:5000;", $"listen 127.0.0.1:{plainPort};");
        http = Replace(http, "https://$host:5443", $"https://$host:{port}");
        http = Replace(http, "/etc/nginx/tls/", folder + "/");
        var first = UpstreamServers().Match(http);
        Assert.True(first.Success, "deploy/compose/nginx.conf has no upstream server");
        http = http[..first.Index] + string.Concat(gateways.Select(g => $"\n    server {new Uri(g).Authority};")) + UpstreamServers().Replace(http[first.Index..], "");

        var address = $"https://127.0.0.1:{port}";
        var nginx = await NginxProcess.StartAsync(folder, "1", 1024, http, address + "/healthz");
        return new TlsNginx(nginx, address, $"http://127.0.0.1:{plainPort}");
    }

    public void Dispose() => _nginx.Dispose();

    /// <summary>What is inside <c>http { ... }</c>: NginxProcess supplies the rest (pid, logs, temp paths in its folder).</summary>
    private static string HttpBlock(string configuration)
    {
        var start = configuration.IndexOf("\nhttp {", StringComparison.Ordinal);
        Assert.True(start >= 0, "deploy/compose/nginx.conf has no http block");
        var open = configuration.IndexOf('{', start) + 1;
        return configuration[open..configuration.LastIndexOf('}')];
    }

    private static string Replace(string text, string shipped, string replacement)
    {
        Assert.True(text.Contains(shipped, StringComparison.Ordinal), $"deploy/compose/nginx.conf no longer contains '{shipped}'");
        return text.Replace(shipped, replacement, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"\n\s*server\s+[\d.]+:\d+[^;]*;")]
    private static partial Regex UpstreamServers();
}
