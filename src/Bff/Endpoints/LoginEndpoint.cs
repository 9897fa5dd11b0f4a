using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;

namespace Bff.Endpoints;

/// <summary><c>GET /bff/login?returnUrl=/path</c>: starts the authorization code flow with PKCE.</summary>
internal static class LoginEndpoint
{
    public static async Task HandleAsync(HttpContext context, string? returnUrl)
    {
        returnUrl ??= "/";
        if (!LocalReturnUrl.IsLocal(returnUrl))
        {
            await ProblemResponse.WriteAsync(context, BffError.InvalidReturnUrl);
            return;
        }

        await context.ChallengeAsync(OpenIdConnectDefaults.AuthenticationScheme, new AuthenticationProperties { RedirectUri = returnUrl });
    }
}
