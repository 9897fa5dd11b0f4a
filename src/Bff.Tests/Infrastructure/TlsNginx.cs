using System.Diagnostics;

namespace Bff.Tests.Infrastructure;

/// <summary>
/// Debian's nginx terminating TLS (a self-signed certificate for 127.0.0.1 made with openssl) in front of gateway
/// instances on plain http, balancing round robin, as an ingress does: it sets <c>X-Forwarded-Proto</c>,
/// <c>-Host</c> and <c>-For</c> and passes WebSocket upgrades.
/// </summary>
public sealed class TlsNginx : IDisposable
{
    private readonly Process _process;
    private readonly string _folder;

    private TlsNginx(Process process, string folder, string address)
    {
        _process = process;
        _folder = folder;
        Address = address;
    }

    /// <summary>The https origin browsers use.</summary>
    public string Address { get; }

    public static async Task<TlsNginx> StartAsync(IEnumerable<string> gateways)
    {
        var folder = Directory.CreateTempSubdirectory("bff-tls-nginx-").FullName;
        await RunAsync("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
            "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", Path.Combine(folder, "key.pem"), "-out", Path.Combine(folder, "cert.pem"));
        var port = RedisServer.FreeTcpPort();
        var servers = string.Join("\n", gateways.Select(g => $"server {new Uri(g).Authority};"));
        var configuration = Path.Combine(folder, "nginx.conf");
        await File.WriteAllTextAsync(configuration, $$"""
            worker_processes 1;
            pid {{folder}}/nginx.pid;
            error_log {{folder}}/error.log warn;
            events { worker_connections 1024; }
            http {
              access_log off;
              client_body_temp_path {{folder}}/body;
              proxy_temp_path {{folder}}/proxy;
              fastcgi_temp_path {{folder}}/fastcgi;
              uwsgi_temp_path {{folder}}/uwsgi;
              scgi_temp_path {{folder}}/scgi;
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
            }
            """);
        var process = Process.Start(new ProcessStartInfo("nginx", ["-c", configuration, "-g", "daemon off;"]) { RedirectStandardError = true })!;
        var address = $"https://127.0.0.1:{port}";
        using var probe = new HttpClient(new SocketsHttpHandler { SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true } });
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await probe.GetAsync(address + "/healthz");
                return new TlsNginx(process, folder, address);
            }
            catch (HttpRequestException) when (attempt < 100 && !process.HasExited)
            {
                await Task.Delay(100);
            }
        }
    }

    public void Dispose()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
        _process.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

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
