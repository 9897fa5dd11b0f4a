using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace Bff.Demo.IdentityProvider;

/// <summary>The provider's own sign-in form: a real HTML form posting user name and password.</summary>
internal static class LoginPage
{
    public const string Scheme = CookieAuthenticationDefaults.AuthenticationScheme;

    public static IResult Show(string? returnUrl, bool failed = false) => Results.Content($$"""
        <!doctype html>
        <html><head><meta charset="utf-8"><title>Demo identity provider</title>
        <style>body{font-family:system-ui;max-width:24rem;margin:4rem auto}label,input,button{display:block;width:100%;margin:.4rem 0}</style></head>
        <body><h1>Sign in</h1>
        {{(failed ? "<p id=\"error\">Unknown user or wrong password.</p>" : "")}}
        <form method="post" action="/account/login">
          <input type="hidden" name="returnUrl" value="{{WebUtility.HtmlEncode(returnUrl ?? "/")}}">
          <label>User <input id="username" name="username" autocomplete="username"></label>
          <label>Password <input id="password" name="password" type="password" autocomplete="current-password"></label>
          <button id="submit" type="submit">Sign in</button>
        </form>
        <p>Demo user: alice / alice</p></body></html>
        """, "text/html");

    public static async Task<IResult> SubmitAsync(HttpContext context, DemoIdentityProviderSettings settings)
    {
        var form = await context.Request.ReadFormAsync();
        var user = form["username"].ToString();
        var returnUrl = form["returnUrl"].ToString();
        if (!returnUrl.StartsWith("/connect/authorize", StringComparison.Ordinal))
        {
            returnUrl = "/";
        }

        if (!settings.Users.TryGetValue(user, out var password) || password != form["password"].ToString())
        {
            return Show(returnUrl, failed: true);
        }

        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, user)], Scheme);
        await context.SignInAsync(Scheme, new ClaimsPrincipal(identity));
        return Results.Redirect(returnUrl);
    }
}
