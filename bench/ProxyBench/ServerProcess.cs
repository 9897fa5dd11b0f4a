using System.Diagnostics;

/// <summary>
/// One server of the benchmark in a process of its own (this program in a child role), as each runs in
/// production: no heap, garbage collector or thread pool shared with the others, so one target's garbage is
/// not collected during another's round. It runs on the GC settings the gateway ships.
/// </summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private const string ListeningPrefix = "listening ";

    private readonly Process _process;

    private ServerProcess(Process process, string address)
    {
        _process = process;
        Address = address;
    }

    public string Address { get; }

    public int ProcessId => _process.Id;

    /// <summary>Starts this program with <paramref name="role"/> and waits for the address it listens on.</summary>
    public static async Task<ServerProcess> StartAsync(params string[] role)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true };
        start.ArgumentList.Add(typeof(ServerProcess).Assembly.Location);
        role.ToList().ForEach(start.ArgumentList.Add);
        // The gateway's GC settings (src/Bff/Bff.csproj: the server GC, as this Web SDK project has it too), so that
        // the comparison is of the work, not the GC.
        start.Environment["DOTNET_gcServer"] = "1";
        var process = Process.Start(start)!;
        while (await process.StandardOutput.ReadLineAsync() is { } line)
        {
            if (line.StartsWith(ListeningPrefix, StringComparison.Ordinal))
            {
                // Whatever it writes later (warnings) must not fill the pipe and stall it.
                _ = process.StandardOutput.BaseStream.CopyToAsync(Stream.Null);
                return new ServerProcess(process, line[ListeningPrefix.Length..]);
            }
        }

        throw new InvalidOperationException($"The '{string.Join(' ', role)}' process exited before it listened.");
    }

    /// <summary>The child's side: announces the address <see cref="StartAsync"/> waits for.</summary>
    public static void AnnounceListening(string address) => Console.WriteLine(ListeningPrefix + address);

    public async ValueTask DisposeAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}
