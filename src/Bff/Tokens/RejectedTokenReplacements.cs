using Bff.Configuration;
using Bff.Diagnostics;
using Bff.Sessions;
using Microsoft.Extensions.Options;

namespace Bff.Tokens;

/// <summary>
/// Whether an upstream 401 to a session's token for a target may force a refresh
/// (<see cref="TokenRefreshCoordinator.ReplaceRejectedTokenAsync"/>). Not while a replacement that the API
/// refused as well backs off (<see cref="RefreshBackoff"/>): a 401 that a new token does not cure (a wrong
/// audience, an API bug) then passes through, instead of costing a rotation of the refresh token per request.
/// </summary>
internal sealed class RejectedTokenReplacements(IOptions<BffOptions> options, TimeProvider time, BffMetrics metrics) : IDisposable
{
    private readonly RefreshBackoff _unhelpful = new(options, time);

    public bool MayReplace(SessionKey key, TokenTarget target)
    {
        if (!_unhelpful.IsHeld(RefreshNeed.FlightKeyOf(key, target), out _))
        {
            return true;
        }

        metrics.RefreshHeldBack("unhelpful_401");
        return false;
    }

    /// <summary>What the API answered to the replacement: a 401 again starts (or doubles) the back-off.</summary>
    public void Answered(SessionKey key, TokenTarget target, bool stillUnauthorized)
    {
        var flightKey = RefreshNeed.FlightKeyOf(key, target);
        if (stillUnauthorized)
        {
            _unhelpful.Failed(flightKey);
        }
        else
        {
            _unhelpful.Succeeded(flightKey);
        }
    }

    public void Dispose() => _unhelpful.Dispose();
}
