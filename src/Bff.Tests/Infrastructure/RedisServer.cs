using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using StackExchange.Redis;

namespace Bff.Tests.Infrastructure;

/// <summary>A real <c>redis-server</c> child process on a free loopback port, without persistence, one per fixture.</summary>
public sealed class RedisServer : IAsyncLifetime
{
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("bff-redis-").FullName;
    private Process? _process;

    /// <summary>Append-only persistence, so a stop and restart keeps the data (as production Redis would).</summary>
    public bool Persistent { get; init; }

    public int Port { get; private set; }

    public string Configuration => $"127.0.0.1:{Port},abortConnect=false,connectTimeout=2000";

    public ConnectionMultiplexer Connection { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Port = FreeTcpPort();
        await StartAsync();
        Connection = await ConnectionMultiplexer.ConnectAsync(Configuration);
    }

    /// <summary>Starts the server process (again) on <see cref="Port"/> and waits until it answers PING.</summary>
    public async Task StartAsync()
    {
        var executable = FindRedisServer()
            ?? throw new InvalidOperationException("redis-server was not found on PATH. Install it (apt-get install -y redis-server) or run .ci/run, which does.");
        var persistence = Persistent ? "--appendonly yes --appendfsync always" : "--appendonly no";
        _process = Process.Start(new ProcessStartInfo(executable,
            $"--port {Port} --bind 127.0.0.1 --save \"\" {persistence} --dir {_dataDirectory} --protected-mode no")
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
                await using var probe = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{Port},connectTimeout=1000");
                await probe.GetDatabase().PingAsync();
                return;
            }
            catch (RedisConnectionException) when (attempt < 50 && !_process.HasExited)
            {
                await Task.Delay(100);
            }
        }
    }

    /// <summary>Stops the server process as an operator or a crash would (SIGKILL); data survives only when <see cref="Persistent"/>.</summary>
    public async Task StopAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    public async Task DisposeAsync()
    {
        if (Connection is not null)
        {
            await Connection.DisposeAsync();
        }

        await StopAsync();
        _process?.Dispose();
        Directory.Delete(_dataDirectory, recursive: true);
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
