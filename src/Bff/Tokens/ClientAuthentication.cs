using System.Net.Http.Headers;
using System.Text;
using Bff.Configuration;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace Bff.Tokens;

/// <summary>
/// Form posts to the provider's token and revocation endpoints as this confidential client: the secret in the
/// body (<c>client_secret_post</c>, the OpenID Connect handler's own choice) or as HTTP Basic
/// (<c>client_secret_basic</c>), as <c>Bff:Oidc:ClientAuthentication</c> says; <c>auto</c> takes Basic only when
/// discovery lists nothing else.
/// </summary>
internal sealed class ClientAuthentication(IOptions<BffOptions> options)
{
    private readonly BffOidcOptions _oidc = options.Value.Oidc;

    public HttpRequestMessage CreatePost(string endpoint, List<KeyValuePair<string, string>> form, OpenIdConnectConfiguration configuration)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, endpoint);
        if (_oidc.ClientSecret is { Length: > 0 } secret && UsesBasic(configuration))
        {
            // RFC 6749 §2.3.1: both parts are form-encoded before the Basic encoding.
            var credentials = $"{Uri.EscapeDataString(_oidc.ClientId)}:{Uri.EscapeDataString(secret)}";
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials)));
        }
        else
        {
            form.Add(new("client_id", _oidc.ClientId));
            if (_oidc.ClientSecret is { Length: > 0 } postedSecret)
            {
                form.Add(new("client_secret", postedSecret));
            }
        }

        request.Content = new FormUrlEncodedContent(form);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return request;
    }

    public bool UsesBasic(OpenIdConnectConfiguration configuration)
    {
        if (_oidc.ClientAuthentication != "auto")
        {
            return _oidc.ClientAuthentication == "client_secret_basic";
        }

        var methods = configuration.TokenEndpointAuthMethodsSupported;
        return methods.Count > 0 && !methods.Contains("client_secret_post") && methods.Contains("client_secret_basic");
    }
}
