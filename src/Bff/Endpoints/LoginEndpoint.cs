using Bff.Diagnostics;
using Bff.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;

namespace Bff.Endpoints;

/// <summary><c>GET /bff/login?returnUrl=/path</c>: starts the authorization code flow with PKCE.</summary>
internal static class LoginEndpoint
{
    public static async Task HandleAsync(HttpContext context, string? returnUrl, ILoggerFactory loggerFactory)
    {
        returnUrl ??= "/";
        if (!LocalReturnUrl.IsLocal(returnUrl))
        {
            await ProblemResponse.WriteAsync(context, BffError.InvalidReturnUrl);
            return;
        }

        try
        {
            // returnUrl is the SPA's path; under a path base the browser goes back to it there.
            await context.ChallengeAsync(OpenIdConnectDefaults.AuthenticationScheme, new AuthenticationProperties { RedirectUri = context.Request.PathBase + returnUrl });
        }
        catch (Exception exception) when (exception is not OperationCanceledException && !context.Response.HasStarted)
        {
            // The handler could not load the provider's discovery document (IDX20803: InvalidOperationException),
            // or could not protect its state because the Data Protection key ring (in Redis) is unreachable.
            Log.LoginUnavailable(loggerFactory.CreateLogger(typeof(LoginEndpoint)), exception.GetType().Name);
            context.Response.Clear();
            await ProblemResponse.WriteAsync(context, exception is InvalidOperationException ? BffError.ProviderUnavailable : BffError.RefreshUnavailable);
        }
    }
}
