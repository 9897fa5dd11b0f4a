using System.Net;
using Bff.Tests.Infrastructure;

namespace Bff.Tests.Tokens;

/// <summary>A provider whose refresh endpoint speaks JSON (Supabase GoTrue) goes through the same fleet coordination.</summary>
public sealed class JsonRefreshFormatTests(JsonRefreshFormatTests.JsonProviderFleet fleet) : IClassFixture<JsonRefreshFormatTests.JsonProviderFleet>
{
    public sealed class JsonProviderFleet : FleetFixture
    {
        public JsonProviderFleet() : base(instances: 2)
        {
        }

        public JsonTokenProviderStub Stub { get; private set; } = null!;

        protected override async Task ConfigureAsync(Dictionary<string, string?> configuration)
        {
            Stub = await JsonTokenProviderStub.StartAsync();
            configuration["Bff:Tokens:RefreshRequest:Format"] = "Json";
            configuration["Bff:Tokens:RefreshRequest:Endpoint"] = Stub.Endpoint;
            configuration["Bff:Tokens:RefreshRequest:Headers:apikey"] = "anon-key";
        }

        public override async Task DisposeAsync()
        {
            await base.DisposeAsync();
            await Stub.DisposeAsync();
        }
    }

    [Fact]
    public async Task concurrent_requests_over_two_instances_make_one_json_refresh_per_rotation()
    {
        var browsers = await fleet.SignInEverywhereAsync();

        for (var rotation = 1; rotation <= 3; rotation++)
        {
            await fleet.MoveClockToExpiryAsync(browsers.Take(1));
            var calls = fleet.Stub.Calls;

            var responses = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => browsers[i % 2].GetAsync("/api/public")));

            Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
            Assert.Equal(calls + 1, fleet.Stub.Calls);
            var session = await fleet.Gateways[0].SessionOfAsync(browsers[0]);
            Assert.StartsWith("json-refresh-", session.Tokens.RefreshToken, StringComparison.Ordinal);
            Assert.Equal($"Bearer {session.Tokens.AccessToken}", fleet.Provider.Upstream.Requests.Last().Authorization);
        }

        Assert.Equal(0, fleet.Stub.Reuses);
    }
}
