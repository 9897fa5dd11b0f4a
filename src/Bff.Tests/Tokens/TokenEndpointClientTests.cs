using System.Net;
using System.Text;
using System.Text.Json;
using Bff.Configuration;
using Bff.Sessions;
using Bff.Tokens;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

using Bff.Tests.Infrastructure;

namespace Bff.Tests.Tokens;

/// <summary>
/// How the gateway reads a provider's answer to a refresh: anything malformed is a transient failure (the
/// session stays); only the provider's explicit rejection ends a session (DESIGN invariant 5).
/// </summary>
public sealed class TokenEndpointClientTests
{
    private static readonly TokenSet Current = new("old-access", "old-refresh", "old-id", DateTimeOffset.UtcNow);
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.Parse("2026-11-27T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
    private readonly CapturingHandler _provider = new();

    [Fact]
    public async Task a_rotating_answer_replaces_every_token()
    {
        _provider.Answer(HttpStatusCode.OK, """{"access_token":"a2","token_type":"Bearer","expires_in":300,"refresh_token":"r2","id_token":"i2"}""");

        var result = await Client().RefreshAsync(Current, TokenTarget.Login, CancellationToken.None);

        Assert.Equal(TokenRefreshOutcome.Succeeded, result.Outcome);
        Assert.Equal(new TokenSet("a2", "r2", "i2", _clock.GetUtcNow().AddSeconds(300)), result.Tokens);
        Assert.Equal("grant_type=refresh_token&refresh_token=old-refresh&client_id=spa-bff&client_secret=secret", _provider.LastBody);
    }

    [Fact]
    public async Task a_non_rotating_provider_keeps_the_old_refresh_and_id_tokens()
    {
        _provider.Answer(HttpStatusCode.OK, """{"access_token":"a2","token_type":"bearer","expires_in":60}""");

        var result = await Client().RefreshAsync(Current, TokenTarget.Login, CancellationToken.None);

        Assert.Equal(new TokenSet("a2", "old-refresh", "old-id", _clock.GetUtcNow().AddSeconds(60)), result.Tokens);
    }

    [Theory]
    [InlineData("""{"access_token":"a2"}""")]
    [InlineData("""{"access_token":"a2","expires_in":-5}""")]
    [InlineData("""{"access_token":"a2","expires_in":99999999999}""")]
    [InlineData("""{"access_token":"a2","expires_in":"soon"}""")]
    public async Task a_missing_or_absurd_expires_in_falls_back_to_a_bounded_lifetime(string body)
    {
        _provider.Answer(HttpStatusCode.OK, body);

        var result = await Client().RefreshAsync(Current, TokenTarget.Login, CancellationToken.None);

        Assert.Equal(TokenRefreshOutcome.Succeeded, result.Outcome);
        Assert.Equal(_clock.GetUtcNow() + TokenLifetime.Fallback, result.Tokens!.AccessTokenExpiresAt);
    }

    [Fact]
    public async Task expires_in_counts_from_when_the_request_was_sent_not_from_when_the_answer_arrived()
    {
        var sentAt = _clock.GetUtcNow();
        _provider.Answer(HttpStatusCode.OK, """{"access_token":"a2","token_type":"Bearer","expires_in":60}""");
        _provider.BeforeAnswer = () => _clock.Advance(TimeSpan.FromSeconds(3));

        var result = await Client().RefreshAsync(Current, TokenTarget.Login, CancellationToken.None);

        Assert.Equal(sentAt.AddSeconds(60), result.Tokens!.AccessTokenExpiresAt);
    }

    [Fact]
    public async Task a_jwt_exp_earlier_than_expires_in_wins()
    {
        var exp = _clock.GetUtcNow().AddSeconds(50);
        _provider.Answer(HttpStatusCode.OK, $$"""{"access_token":"{{Jwt(exp)}}","expires_in":60}""");

        var result = await Client().RefreshAsync(Current, TokenTarget.Login, CancellationToken.None);

        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(exp.ToUnixTimeSeconds()), result.Tokens!.AccessTokenExpiresAt);
    }

    [Fact]
    public async Task a_jwt_exp_before_the_request_is_clock_skew_and_is_ignored()
    {
        var sentAt = _clock.GetUtcNow();
        _provider.Answer(HttpStatusCode.OK, $$"""{"access_token":"{{Jwt(sentAt.AddMinutes(-5))}}","expires_in":60}""");

        var result = await Client().RefreshAsync(Current, TokenTarget.Login, CancellationToken.None);

        Assert.Equal(sentAt.AddSeconds(60), result.Tokens!.AccessTokenExpiresAt);
    }

    private static string Jwt(DateTimeOffset exp)
    {
        var payload = Convert.ToBase64String(Encoding.UTF8.GetBytes($$"""{"exp":{{exp.ToUnixTimeSeconds()}}}""")).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return $"eyJhbGciOiJub25lIn0.{payload}.sig";
    }

    [Fact]
    public async Task a_missing_expires_in_uses_the_jwt_exp_when_readable()
    {
        var exp = _clock.GetUtcNow().AddMinutes(20).ToUnixTimeSeconds();
        var payload = Convert.ToBase64String(Encoding.UTF8.GetBytes($$"""{"exp":{{exp}}}""")).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        _provider.Answer(HttpStatusCode.OK, $$"""{"access_token":"eyJhbGciOiJub25lIn0.{{payload}}.sig"}""");

        var result = await Client().RefreshAsync(Current, TokenTarget.Login, CancellationToken.None);

        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(exp), result.Tokens!.AccessTokenExpiresAt);
    }

    [Theory]
    [InlineData(HttpStatusCode.OK, "<html>maintenance</html>")]
    [InlineData(HttpStatusCode.OK, """{"access_token":"a2","expires_in":""")]
    [InlineData(HttpStatusCode.OK, """{"token_type":"Bearer","expires_in":300,"refresh_token":"r2"}""")]
    [InlineData(HttpStatusCode.OK, """{"access_token":"a2","token_type":"DPoP"}""")]
    [InlineData(HttpStatusCode.OK, """{"access_token":"a2\r\nX-Injected: 1","expires_in":300}""")]
    [InlineData(HttpStatusCode.OK, """{"access_token":"a2 b2","expires_in":300}""")]
    [InlineData(HttpStatusCode.OK, """{"access_token":"a\u00fc2","expires_in":300}""")]
    [InlineData(HttpStatusCode.OK, "[]")]
    [InlineData(HttpStatusCode.InternalServerError, """{"error":"server_error"}""")]
    [InlineData(HttpStatusCode.BadGateway, "<html>bad gateway</html>")]
    [InlineData(HttpStatusCode.BadRequest, """{"error":"invalid_client"}""")]
    [InlineData(HttpStatusCode.BadRequest, "not json")]
    public async Task a_malformed_or_failed_answer_is_a_transient_failure(HttpStatusCode status, string body)
    {
        _provider.Answer(status, body);

        var result = await Client().RefreshAsync(Current, TokenTarget.Login, CancellationToken.None);

        Assert.Equal(TokenRefreshOutcome.Failed, result.Outcome);
        Assert.DoesNotContain("old-refresh", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task a_provider_that_refuses_connections_is_a_transient_failure()
    {
        _provider.Refuse();

        var result = await Client().RefreshAsync(Current, TokenTarget.Login, CancellationToken.None);

        Assert.Equal(TokenRefreshOutcome.Failed, result.Outcome);
        Assert.Contains("network error", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task a_ten_megabyte_answer_is_not_read_past_the_cap()
    {
        _provider.Answer(HttpStatusCode.OK, "{\"access_token\":\"" + new string('a', 10 * 1024 * 1024) + "\"}");

        var result = await Client().RefreshAsync(Current, TokenTarget.Login, CancellationToken.None);

        Assert.Equal(TokenRefreshOutcome.Failed, result.Outcome);
    }

    [Theory]
    [InlineData(HttpStatusCode.BadRequest, """{"error":"invalid_grant","error_description":"The token is no longer valid."}""")]
    [InlineData(HttpStatusCode.Unauthorized, """{"error":"invalid_grant"}""")]
    [InlineData(HttpStatusCode.BadRequest, """{"code":400,"error_code":"refresh_token_already_used","msg":"Invalid Refresh Token: Already Used"}""")]
    public async Task only_the_providers_rejection_of_the_refresh_token_is_a_rejection(HttpStatusCode status, string body)
    {
        _provider.Answer(status, body);

        var result = await Client().RefreshAsync(Current, TokenTarget.Login, CancellationToken.None);

        Assert.Equal(TokenRefreshOutcome.Rejected, result.Outcome);
    }

    [Fact]
    public async Task a_provider_advertising_only_basic_authentication_gets_the_secret_as_basic()
    {
        _provider.Answer(HttpStatusCode.OK, """{"access_token":"a2","expires_in":60}""");

        await Client(authMethods: ["client_secret_basic"]).RefreshAsync(Current, TokenTarget.Login, CancellationToken.None);

        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("spa-bff:secret")), _provider.LastAuthorization);
        Assert.Equal("grant_type=refresh_token&refresh_token=old-refresh", _provider.LastBody);
    }

    [Fact]
    public async Task the_json_format_posts_the_refresh_token_as_json_with_the_configured_headers()
    {
        _provider.Answer(HttpStatusCode.OK, """{"access_token":"a2","token_type":"bearer","expires_in":3600,"refresh_token":"r2"}""");

        var result = await Client(format: RefreshRequestFormat.Json).RefreshAsync(Current, TokenTarget.Login, CancellationToken.None);

        Assert.Equal(TokenRefreshOutcome.Succeeded, result.Outcome);
        Assert.Equal("https://project.example/auth/v1/token?grant_type=refresh_token", _provider.LastUri);
        Assert.Equal("old-refresh", JsonDocument.Parse(_provider.LastBody!).RootElement.GetProperty("refresh_token").GetString());
        Assert.Equal("anon-key", _provider.LastApiKey);
    }

    private TokenEndpointClient Client(RefreshRequestFormat format = RefreshRequestFormat.Form, string[]? authMethods = null)
    {
        var configuration = new OpenIdConnectConfiguration { TokenEndpoint = "https://idp.example/token" };
        foreach (var method in authMethods ?? ["client_secret_post", "client_secret_basic"])
        {
            configuration.TokenEndpointAuthMethodsSupported.Add(method);
        }

        var oidc = new OpenIdConnectOptions { ConfigurationManager = new StaticConfigurationManager<OpenIdConnectConfiguration>(configuration) };
        var bff = new BffOptions
        {
            Oidc = new BffOidcOptions { ClientId = "spa-bff", ClientSecret = "secret" },
            Tokens = new BffTokenOptions
            {
                RefreshRequest = format == RefreshRequestFormat.Json
                    ? new BffRefreshRequestOptions
                    {
                        Format = format,
                        Endpoint = "https://project.example/auth/v1/token?grant_type=refresh_token",
                        Headers = { ["apikey"] = "anon-key" },
                    }
                    : new BffRefreshRequestOptions(),
            },
        };
        var options = Options.Create(bff);
        var metadata = new ProviderMetadata(new StaticOptionsMonitor<OpenIdConnectOptions>(oidc), NullLogger<ProviderMetadata>.Instance);
        var client = new ClientAuthentication(options);
        IRefreshRequestDialect dialect = format == RefreshRequestFormat.Json ? new GoTrueRefreshRequest(options) : new OAuthRefreshRequest(metadata, client, options);
        return new TokenEndpointClient(new HttpClient(_provider), dialect, client, metadata, options, _clock, NullLogger<TokenEndpointClient>.Instance);
    }

    private sealed class CapturingHandler : HttpMessageHandler
    {
        private Func<HttpResponseMessage> _answer = () => new HttpResponseMessage(HttpStatusCode.InternalServerError);

        public string? LastBody { get; private set; }
        public string? LastUri { get; private set; }
        public string? LastAuthorization { get; private set; }
        public string? LastApiKey { get; private set; }

        public void Refuse() =>
            _answer = () => throw new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused");

        public void Answer(HttpStatusCode status, string body) =>
            _answer = () => new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, "application/json") };

        /// <summary>Runs just before the answer is given (a slow provider: move the clock).</summary>
        public Action BeforeAnswer { get; set; } = () => { };

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            LastUri = request.RequestUri!.ToString();
            LastBody = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
            LastAuthorization = request.Headers.Authorization?.ToString();
            LastApiKey = request.Headers.TryGetValues("apikey", out var values) ? values.Single() : null;
            BeforeAnswer();
            return _answer();
        }
    }
}
