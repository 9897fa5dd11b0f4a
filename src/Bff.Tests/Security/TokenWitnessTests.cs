using Bff.Tests.Infrastructure;

namespace Bff.Tests.Security;

/// <summary>The leak witness itself: it must see opaque tokens as well as JWTs, wherever they sit in a response.</summary>
public sealed class TokenWitnessTests
{
    [Fact]
    public void an_opaque_token_in_a_response_is_seen_and_an_unseen_one_is_not()
    {
        var leaked = $"opaque_{Guid.NewGuid():N}";
        var kept = $"opaque_{Guid.NewGuid():N}";

        TokenWitness.Record($"200 https://gateway/bff/user\ncontent-type: application/json\n{{\"note\":\"{leaked}\"}}");

        Assert.Throws<InvalidOperationException>(() => TokenWitness.AssertNoneSeen([leaked], "a browser"));
        TokenWitness.AssertNoneSeen([kept], "a browser");
    }

    [Fact]
    public void a_jwt_is_seen_by_its_signature_even_when_its_header_is_shared_with_other_tokens()
    {
        var signature = Guid.NewGuid().ToString("N");
        var leaked = $"eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.{signature}";
        var other = $"eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.{Guid.NewGuid():N}";

        TokenWitness.Record($"Authorization: Bearer {leaked}");

        Assert.Throws<InvalidOperationException>(() => TokenWitness.AssertNoneSeen([leaked], "a browser"));
        TokenWitness.AssertNoneSeen([other], "a browser");
    }
}
