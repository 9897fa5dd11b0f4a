using Bff.Diagnostics;

namespace Bff.Locking;

internal static class RefreshSignalExtensions
{
    /// <summary>Publishes a notice; a failure is logged, not thrown: waiters fall back to re-reading the store.</summary>
    public static async Task PublishQuietlyAsync(this IRefreshSignal signal, string name, RefreshNotice notice, ILogger logger)
    {
        try
        {
            await signal.PublishAsync(name, notice);
        }
        catch (Exception exception)
        {
            Log.PublishFailed(logger, name, exception.GetType().Name);
        }
    }
}
