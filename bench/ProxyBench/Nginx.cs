using Bff.Tests.Infrastructure;

/// <summary>Debian's nginx as a plain reverse proxy to the backend (keep-alive upstream), in the foreground.</summary>
internal sealed class Nginx : IDisposable
{
    private readonly NginxProcess _nginx;

    private Nginx(NginxProcess nginx, string address)
    {
        _nginx = nginx;
        Address = address;
    }

    public string Address { get; }

    /// <summary>The master process (its workers are its children).</summary>
    public int ProcessId => _nginx.ProcessId;

    public static Nginx Start(Uri backend)
    {
        var port = RedisServer.FreeTcpPort();
        var address = $"http://127.0.0.1:{port}";
        var nginx = NginxProcess.StartAsync(NginxProcess.NewFolder("bench-nginx-"), "auto", 4096, $$"""
              upstream backend { server {{backend.Authority}}; keepalive 64; }
              server {
                listen 127.0.0.1:{{port}};
                location / {
                  proxy_pass http://backend;
                  proxy_http_version 1.1;
                  proxy_set_header Connection "";
                }
              }
            """, address + "/").GetAwaiter().GetResult();
        return new Nginx(nginx, address);
    }

    public void Dispose() => _nginx.Dispose();
}
