using System.Diagnostics;
using Bff.Tests.Infrastructure;

/// <summary>Debian's nginx as a plain reverse proxy to the backend (keep-alive upstream), in the foreground.</summary>
internal sealed class Nginx : IDisposable
{
    private readonly Process _process;
    private readonly string _folder;

    private Nginx(Process process, string folder, string address)
    {
        _process = process;
        _folder = folder;
        Address = address;
    }

    public string Address { get; }

    /// <summary>The master process (its workers are its children).</summary>
    public int ProcessId => _process.Id;

    public static Nginx Start(Uri backend)
    {
        var folder = Directory.CreateTempSubdirectory("bench-nginx-").FullName;
        var port = RedisServer.FreeTcpPort();
        var configuration = Path.Combine(folder, "nginx.conf");
        File.WriteAllText(configuration, $$"""
            worker_processes auto;
            pid {{folder}}/nginx.pid;
            error_log {{folder}}/error.log warn;
            events { worker_connections 4096; }
            http {
              access_log off;
              client_body_temp_path {{folder}}/body;
              proxy_temp_path {{folder}}/proxy;
              fastcgi_temp_path {{folder}}/fastcgi;
              uwsgi_temp_path {{folder}}/uwsgi;
              scgi_temp_path {{folder}}/scgi;
              upstream backend { server {{backend.Authority}}; keepalive 64; }
              server {
                listen 127.0.0.1:{{port}};
                location / {
                  proxy_pass http://backend;
                  proxy_http_version 1.1;
                  proxy_set_header Connection "";
                }
              }
            }
            """);
        var process = Process.Start(new ProcessStartInfo("nginx", ["-c", configuration, "-g", "daemon off;"]))!;
        var address = $"http://127.0.0.1:{port}";
        using var probe = new HttpClient();
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                probe.GetAsync(address + "/").GetAwaiter().GetResult();
                return new Nginx(process, folder, address);
            }
            catch (HttpRequestException) when (attempt < 50 && !process.HasExited)
            {
                Thread.Sleep(100);
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
}
