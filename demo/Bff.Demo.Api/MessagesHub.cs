using Microsoft.AspNetCore.SignalR;

namespace Bff.Demo.Api;

/// <summary>A SignalR hub for signed-in users (the gateway's bearer token): greets the caller; <see cref="MessageTicker"/> pushes the rest.</summary>
public sealed class MessagesHub : Hub
{
    public const string Path = "/hubs/messages";

    public override Task OnConnectedAsync() =>
        Clients.Caller.SendAsync("message", $"hello {Context.User?.FindFirst("sub")?.Value}");
}
