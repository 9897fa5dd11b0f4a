using Bff.Diagnostics;
using Microsoft.AspNetCore.DataProtection;

namespace Bff.Hosting;

/// <summary>
/// Loads the Data Protection key ring from Redis while the host starts. Data Protection reads it synchronously
/// on first use, which otherwise is the first sign-in's request: on a busy start (a thread pool short of threads)
/// that read blocked a request thread until Redis's synchronous timeout and the sign-in answered 503. A failure
/// here only logs: the first use loads it as before.
/// </summary>
internal sealed class KeyRingWarmUp(IDataProtectionProvider dataProtection, ILogger<KeyRingWarmUp> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            // Protecting anything makes Data Protection read (or create) the key ring; on a thread of its own, so
            // the synchronous Redis read does not hold a thread the host's start needs.
            await Task.Factory.StartNew(() => dataProtection.CreateProtector("Bff.Hosting.KeyRingWarmUp").Protect([]),
                cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            Log.KeyRingNotLoaded(logger, exception.GetType().Name);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
