using System.Net;
using Bff.Tests.Infrastructure;

namespace Bff.Tests.Tokens;

/// <summary>A provider whose refresh endpoint speaks JSON (Supabase GoTrue) goes through the same fleet coordination.</summary>
public sealed class JsonRefreshFormatTests(JsonRefreshFormatTests.TwoInstances fleet) : IClassFixture<JsonRefreshFormatTests.TwoInstances>
{
    public sealed class TwoInstances() : JsonProviderFleet(instances: 2, sweeper: false);

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
