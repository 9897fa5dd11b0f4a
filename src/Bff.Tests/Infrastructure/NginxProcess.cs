using System.Diagnostics;

namespace Bff.Tests.Infrastructure;

/// <summary>
/// Debian's nginx in the foreground with a configuration of its own in a temporary folder (pid, logs and temp
/// paths there, so no system instance is touched), started once it answers <c>probe</c>; killed and its folder
/// deleted on dispose. The TLS tests and the proxy benchmark differ only in their <c>http</c> block.
/// </summary>
public sealed class NginxProcess : IDisposable
{
    private readonly Process _process;

    private NginxProcess(Process process, string folder)
    {
        _process = process;
        Folder = folder;
    }

    /// <summary>The temporary folder (certificates may be put there before starting).</summary>
    public string Folder { get; }

    /// <summary>The master process (its workers are its children).</summary>
    public int ProcessId => _process.Id;

    /// <summary>A new temporary folder for an instance to be started by <see cref="StartAsync"/>.</summary>
    public static string NewFolder(string prefix) => Directory.CreateTempSubdirectory(prefix).FullName;

    /// <param name="folder">From <see cref="NewFolder"/>.</param>
    /// <param name="workers">nginx's worker_processes (a number or "auto").</param>
    /// <param name="connections">worker_connections.</param>
    /// <param name="http">Upstreams and servers, inside the http block.</param>
    /// <param name="probe">A URL that answers once nginx listens (any status).</param>
    public static async Task<NginxProcess> StartAsync(string folder, string workers, int connections, string http, string probe)
    {
        var configuration = Path.Combine(folder, "nginx.conf");
        await File.WriteAllTextAsync(configuration, $$"""
            worker_processes {{workers}};
            pid {{folder}}/nginx.pid;
            error_log {{folder}}/error.log warn;
            events { worker_connections {{connections}}; }
            http {
              access_log off;
              client_body_temp_path {{folder}}/body;
              proxy_temp_path {{folder}}/proxy;
              fastcgi_temp_path {{folder}}/fastcgi;
              uwsgi_temp_path {{folder}}/uwsgi;
              scgi_temp_path {{folder}}/scgi;
            {{http}}
            }
            """);
        var process = Process.Start(new ProcessStartInfo("nginx", ["-c", configuration, "-g", "daemon off;"]))!;
        using var client = new HttpClient(new SocketsHttpHandler { SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true } });
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await client.GetAsync(probe);
                return new NginxProcess(process, folder);
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
        Directory.Delete(Folder, recursive: true);
    }
}
