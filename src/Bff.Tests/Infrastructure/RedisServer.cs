using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using StackExchange.Redis;

namespace Bff.Tests.Infrastructure;

/// <summary>
/// A real <c>redis-server</c> child process on a free loopback port, without persistence, one per fixture; or
/// a replica of another one, or a Sentinel watching one (<see cref="SentinelOf"/>).
/// </summary>
public sealed class RedisServer : IRedisDeployment
{
    public const string SentinelServiceName = "mymaster";

    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("bff-redis-").FullName;
    private Process? _process;

    /// <summary>Append-only persistence, so a stop and restart keeps the data (as production Redis would).</summary>
    public bool Persistent { get; init; }

    /// <summary>Starts as a replica of this server.</summary>
    public RedisServer? ReplicaOf { get; init; }

    /// <summary>Starts as a Sentinel (quorum 1) monitoring this server as <see cref="SentinelServiceName"/>.</summary>
    public RedisServer? SentinelOf { get; init; }

    /// <summary>Starts as a Redis Cluster node (see <see cref="RedisCluster"/>), its node table kept in its folder.</summary>
    public bool ClusterNode { get; init; }

    public int Port { get; private set; }

    public string Configuration => $"127.0.0.1:{Port},abortConnect=false,connectTimeout=2000";

    public ConnectionMultiplexer Connection { get; private set; } = null!;

    IConnectionMultiplexer IRedisDeployment.Connection => Connection;

    /// <summary>Whether the process is running (it may have been stopped by a test).</summary>
    public bool IsRunning => _process is { HasExited: false };

    public async Task InitializeAsync()
    {
        Port = ClusterNode ? FreeClusterPort() : FreeTcpPort();
        await StartAsync();
        if (!ClusterNode)
        {
            Connection = await ConnectionMultiplexer.ConnectAsync(ConnectOptions(Configuration));
        }
    }

    /// <summary>Starts the server process (again) on <see cref="Port"/> and waits until it answers PING.</summary>
    public async Task StartAsync()
    {
        var executable = FindRedisServer()
            ?? throw new InvalidOperationException("redis-server was not found on PATH. Install it (apt-get install -y redis-server) or run .ci/run, which does.");
        _process = Process.Start(new ProcessStartInfo(executable, Arguments())
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
                await using var probe = await ConnectionMultiplexer.ConnectAsync(ConnectOptions($"127.0.0.1:{Port},connectTimeout=1000"));
                await probe.GetDatabase().PingAsync();
                return;
            }
            catch (RedisConnectionException) when (attempt < 50 && !_process.HasExited)
            {
                await Task.Delay(100);
            }
        }
    }

    /// <summary>
    /// The test's own connection may inspect the server (INFO, KEYS). A Sentinel answers only Sentinel
    /// commands: connect to it with that command map and no tie-breaker key.
    /// </summary>
    private ConfigurationOptions ConnectOptions(string configuration)
    {
        var options = ConfigurationOptions.Parse(configuration);
        options.AllowAdmin = true;
        if (SentinelOf is not null)
        {
            options.CommandMap = CommandMap.Sentinel;
            options.TieBreaker = "";
        }

        return options;
    }

    private string Arguments()
    {
        if (SentinelOf is { } monitored)
        {
            // Sentinel rewrites its configuration file, so it gets one of its own.
            var configuration = Path.Combine(_dataDirectory, "sentinel.conf");
            File.WriteAllText(configuration, $"""
                port {Port}
                bind 127.0.0.1
                dir {_dataDirectory}
                sentinel monitor {SentinelServiceName} 127.0.0.1 {monitored.Port} 1
                sentinel down-after-milliseconds {SentinelServiceName} 2000
                sentinel failover-timeout {SentinelServiceName} 10000
                """);
            return $"{configuration} --sentinel";
        }

        var persistence = Persistent ? "--appendonly yes --appendfsync always" : "--appendonly no";
        var replication = ReplicaOf is { } master ? $" --replicaof 127.0.0.1 {master.Port}" : "";
        var cluster = ClusterNode ? " --cluster-enabled yes --cluster-config-file nodes.conf --cluster-node-timeout 2000" : "";
        return $"--port {Port} --bind 127.0.0.1 --save \"\" {persistence} --dir {_dataDirectory} --protected-mode no{replication}{cluster}";
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
    public Task<IReadOnlyList<string>> DumpAsync() => DumpAsync(Connection, Port);

    /// <summary>Every key and value of the server on <paramref name="port"/>, read through <paramref name="connection"/>.</summary>
    public static async Task<IReadOnlyList<string>> DumpAsync(IConnectionMultiplexer connection, int port)
    {
        var server = connection.GetServer("127.0.0.1", port);
        var database = connection.GetDatabase();
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

    /// <summary>
    /// A free port whose cluster-bus port (the port plus 10,000, which a cluster node also listens on) is free and
    /// valid too: a port above 55,535 has none, and redis-server then exits at start.
    /// </summary>
    private static int FreeClusterPort()
    {
        for (var attempt = 0; ; attempt++)
        {
            var port = FreeTcpPort();
            if (port + 10_000 <= IPEndPoint.MaxPort && IsFree(port + 10_000))
            {
                return port;
            }

            if (attempt > 1000)
            {
                throw new InvalidOperationException("No free port pair for a cluster node.");
            }
        }
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
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
