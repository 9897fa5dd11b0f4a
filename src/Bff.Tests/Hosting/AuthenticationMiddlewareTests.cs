using System.Net;
using Bff.Tests.Infrastructure;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Bff.Tests.Hosting;

/// <summary>
/// MapBff runs ASP.NET Core's authentication middleware on the OIDC callback paths only (it was a fifth of a
/// proxied request's cost). It keeps WebApplication from adding the middleware everywhere by setting the
/// framework's private "__AuthenticationMiddlewareSet" key; this pins that the framework still honours it: a
/// framework that stops doing so fails here instead of silently slowing every request.
/// </summary>
public sealed class AuthenticationMiddlewareTests(ProviderHost provider) : IClassFixture<ProviderHost>
{
    [Fact]
    public async Task the_authentication_middleware_runs_on_the_oidc_callback_only_not_on_proxied_or_health_requests()
    {
        var configuration = GatewayHost.ConfigurationFor(provider);
        await using var gateway = await GatewayHost.StartAsync(provider, configuration, services =>
            services.AddSingleton<IAuthenticationSchemeProvider, CountingSchemeProvider>());
        var schemes = (CountingSchemeProvider)gateway.Services.GetRequiredService<IAuthenticationSchemeProvider>();
        using var http = new HttpClient();

        var before = schemes.RequestHandlerLookups;
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"{gateway.Address}/healthz")).StatusCode);
        await http.GetAsync($"{gateway.Address}/public/whoami");
        await http.GetAsync($"{gateway.Address}/api/whoami");
        Assert.Equal(before, schemes.RequestHandlerLookups);

        // The control: on the callback path the middleware runs (and asks for the request handlers).
        await http.PostAsync($"{gateway.Address}/signin-oidc", new FormUrlEncodedContent([new("state", "x")]));
        Assert.True(schemes.RequestHandlerLookups > before, "the authentication middleware did not run on /signin-oidc");
    }

    /// <summary>The scheme provider the authentication middleware asks, once per request it runs on, for the request handlers.</summary>
    private sealed class CountingSchemeProvider(IOptions<AuthenticationOptions> options) : AuthenticationSchemeProvider(options)
    {
        private int _lookups;

        public int RequestHandlerLookups => Volatile.Read(ref _lookups);

        public override Task<IEnumerable<AuthenticationScheme>> GetRequestHandlerSchemesAsync()
        {
            Interlocked.Increment(ref _lookups);
            return base.GetRequestHandlerSchemesAsync();
        }
    }
}
