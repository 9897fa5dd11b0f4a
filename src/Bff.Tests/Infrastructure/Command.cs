using System.Diagnostics;

namespace Bff.Tests.Infrastructure;

/// <summary>A command-line tool run to completion (openssl, redis-cli, a shell script): its exit code and output.</summary>
public static class Command
{
    public static async Task<(int ExitCode, string Output, string Errors)> RunAsync(string file, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output, await errors);
    }

    /// <summary>Runs it and fails, with what it wrote to stderr, unless it exits with 0; returns its output.</summary>
    public static async Task<string> RunCheckedAsync(string file, params string[] arguments)
    {
        var (exitCode, output, errors) = await RunAsync(file, arguments);
        return exitCode == 0 ? output : throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} failed ({exitCode}): {errors}{output}");
    }
}
