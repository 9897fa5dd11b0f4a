using Microsoft.AspNetCore.SignalR;

namespace Bff.Demo.Api;

/// <summary>Pushes a message to every connected user each second, so a page shows a live feed.</summary>
public sealed class MessageTicker(IHubContext<MessagesHub> hub) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            for (var tick = 1; await timer.WaitForNextTickAsync(stoppingToken); tick++)
            {
                await hub.Clients.All.SendAsync("message", $"tick {tick}", stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down (also when the host is disposed without being stopped first, as test hosts are).
        }
    }
}
