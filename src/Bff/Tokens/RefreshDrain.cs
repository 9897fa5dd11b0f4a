namespace Bff.Tokens;

/// <summary>
/// Graceful shutdown (DESIGN invariant 7): on SIGTERM the host waits for every refresh in flight in this
/// process to finish and store its result before exiting, so a rolling deploy spends no refresh token for
/// nothing. The host's shutdown timeout is raised above one refresh's lease.
/// </summary>
internal sealed class RefreshDrain(TokenRefreshCoordinator coordinator) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => coordinator.DrainAsync().WaitAsync(cancellationToken);
}
