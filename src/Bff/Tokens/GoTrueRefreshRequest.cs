using System.Net.Http.Headers;
using System.Net.Http.Json;
using Bff.Configuration;
using Bff.Sessions;
using Microsoft.Extensions.Options;

namespace Bff.Tokens;

/// <summary>
/// Supabase GoTrue's own refresh: <c>POST &lt;Endpoint&gt;</c> with <c>{"refresh_token": …}</c>; its API key goes in
/// the configured headers. It has no resources or scopes: routes asking for them are refused at start-up.
/// </summary>
internal sealed class GoTrueRefreshRequest(IOptions<BffOptions> options) : IRefreshRequestDialect
{
    private readonly string? _endpoint = options.Value.Tokens.RefreshRequest.Endpoint;

    public Task<HttpRequestMessage?> CreateAsync(string refreshToken, TokenTarget target, CancellationToken cancellationToken)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, _endpoint)
        {
            Content = JsonContent.Create(new JsonRefreshRequest(refreshToken), TokenEndpointJsonContext.Default.JsonRefreshRequest),
        };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return Task.FromResult<HttpRequestMessage?>(request);
    }
}
