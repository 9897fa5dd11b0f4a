using System.Net.Http.Json;
using System.Text.Json;

namespace Bff.Tests.Infrastructure;

/// <summary>Calls the provider directly, as a thief or a gateway instance about to die would.</summary>
internal static class ProviderCalls
{
    /// <summary>Presents a refresh token to the token endpoint; returns "ok" or the OAuth error.</summary>
    public static async Task<string> RefreshAsync(ProviderHost provider, string refreshToken)
    {
        using var http = new HttpClient();
        var response = await http.PostAsync($"{provider.Authority}connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token",
            ["refresh_token"] = refreshToken,
            ["client_id"] = provider.Settings.ClientId,
            ["client_secret"] = provider.Settings.ClientSecret,
        }));
        return response.IsSuccessStatusCode
            ? "ok"
            : (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString()!;
    }
}
