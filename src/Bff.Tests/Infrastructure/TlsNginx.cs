using System.Diagnostics;

namespace Bff.Tests.Infrastructure;

/// <summary>
/// Debian's nginx terminating TLS (a self-signed certificate for 127.0.0.1 made with openssl) in front of gateway
/// instances on plain http, balancing round robin, as an ingress does: it sets <c>X-Forwarded-Proto</c>,
/// <c>-Host</c> and <c>-For</c> and passes WebSocket upgrades.
/// </summary>
public sealed class TlsNginx : IDisposable
{
    private readonly NginxProcess _nginx;

    private TlsNginx(NginxProcess nginx, string address)
    {
        _nginx = nginx;
        Address = address;
    }

    /// <summary>The https origin browsers use.</summary>
    public string Address { get; }

    public static async Task<TlsNginx> StartAsync(IEnumerable<string> gateways)
    {
        var folder = NginxProcess.NewFolder("bff-tls-nginx-");
        await RunAsync("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
            "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", Path.Combine(folder, "key.pem"), "-out", Path.Combine(folder, "cert.pem"));
        var port = RedisServer.FreeTcpPort();
        var servers = string.Join("\n", gateways.Select(g => $"server {new Uri(g).Authority};"));
        var address = $"https://127.0.0.1:{port}";
        var nginx = await NginxProcess.StartAsync(folder, "1", 1024, $$"""
              map $http_upgrade $connection_upgrade { default upgrade; '' ''; }
              upstream gateways { {{servers}} }
              server {
                listen 127.0.0.1:{{port}} ssl;
                ssl_certificate {{folder}}/cert.pem;
                ssl_certificate_key {{folder}}/key.pem;
                location / {
                  proxy_pass http://gateways;
                  proxy_http_version 1.1;
                  proxy_set_header Host $http_host;
                  proxy_set_header X-Forwarded-Host $http_host;
                  proxy_set_header X-Forwarded-Proto $scheme;
                  proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
                  proxy_set_header Upgrade $http_upgrade;
                  proxy_set_header Connection $connection_upgrade;
                  proxy_buffering off;
                }
              }
            """, address + "/healthz");
        return new TlsNginx(nginx, address);
    }

    public void Dispose() => _nginx.Dispose();

    private static async Task RunAsync(string file, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        var errors = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} failed: {errors}");
        }
    }
}
