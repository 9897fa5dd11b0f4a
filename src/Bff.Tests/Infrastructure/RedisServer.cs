using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using StackExchange.Redis;

namespace Bff.Tests.Infrastructure;

/// <summary>A real <c>redis-server</c> child process on a free loopback port, without persistence, one per fixture.</summary>
public sealed class RedisServer : IAsyncLifetime
{
    private Process? _process;

    public int Port { get; private set; }

    public string Configuration => $"127.0.0.1:{Port},abortConnect=false,connectTimeout=2000";

    public ConnectionMultiplexer Connection { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var executable = FindRedisServer()
            ?? throw new InvalidOperationException("redis-server was not found on PATH. Install it (apt-get install -y redis-server) or run .ci/run, which does.");
        Port = FreeTcpPort();
        _process = Process.Start(new ProcessStartInfo(executable,
            $"--port {Port} --bind 127.0.0.1 --save \"\" --appendonly no --protected-mode no")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        _process.OutputDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        for (var attempt = 0; ; attempt++)
        {
            try
            {
                Connection = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{Port},connectTimeout=1000");
                await Connection.GetDatabase().PingAsync();
                return;
            }
            catch (RedisConnectionException) when (attempt < 50 && !_process.HasExited)
            {
                await Task.Delay(100);
            }
        }
    }

    public async Task DisposeAsync()
    {
        if (Connection is not null)
        {
            await Connection.DisposeAsync();
        }

        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
    }

    /// <summary>Every key and every value (strings and hash fields) in the server, for at-rest checks.</summary>
    public async Task<IReadOnlyList<string>> DumpAsync()
    {
        var server = Connection.GetServer("127.0.0.1", Port);
        var database = Connection.GetDatabase();
        var dump = new List<string>();
        await foreach (var key in server.KeysAsync(pattern: "*"))
        {
            dump.Add(key!);
            var type = await database.KeyTypeAsync(key);
            if (type == RedisType.Hash)
            {
                foreach (var entry in await database.HashGetAllAsync(key))
                {
                    dump.Add(System.Text.Encoding.Latin1.GetString((byte[])entry.Value!));
                }
            }
            else if (type == RedisType.String)
            {
                dump.Add(System.Text.Encoding.Latin1.GetString((byte[])(await database.StringGetAsync(key))!));
            }
            else if (type == RedisType.List)
            {
                dump.AddRange((await database.ListRangeAsync(key)).Select(v => v.ToString()));
            }
        }

        return dump;
    }

    public static int FreeTcpPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string? FindRedisServer() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Append("/usr/bin").Append("/usr/sbin")
            .Select(dir => Path.Combine(dir, "redis-server"))
            .FirstOrDefault(File.Exists);
}
