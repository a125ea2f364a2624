using System.Net;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using UserKeyedJwt.AspNetCore.Tests.Support;

namespace UserKeyedJwt.AspNetCore.Tests.Adversarial;

/// <summary>Tokens that were valid once: under a server secret that left the ring, or with one bit flipped.</summary>
public sealed class OnceValidTokenTests(AdversarialFixture f) : IClassFixture<AdversarialFixture>
{
    [Theory]
    [InlineData("next", false)] // rotation finished: the issuing secret's id is gone from the ring
    [InlineData("test", true)] // kill switch: the same id now holds a new secret
    public async Task GetMe_TokenUnderSecretRemovedFromRing_Returns401WithoutStoreRead(string newSecretId, bool sameId)
    {
        // The same database, a second instance whose ring no longer holds the secret Alice's token was signed under.
        await using var next = SampleApp.Create(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Sample"] = $"Data Source={f.App.DatabasePath}",
            ["UserKeyedJwt:ServerSecrets:0:Id"] = newSecretId,
            ["UserKeyedJwt:ServerSecrets:0:Secret"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
        });
        using var api = next.Api();
        var fresh = await api.LoginAsync(f.Alice);
        Assert.Equal(HttpStatusCode.OK, await api.MeStatusAsync(fresh));
        Assert.Equal(sameId, Forge.Header(fresh)["kid"]!.GetValue<string>().StartsWith("test.", StringComparison.Ordinal));
        var reads = next.Store!.Reads;

        using var response = await api.SendAsync(HttpMethod.Get, "/me", f.AliceToken).WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(reads, next.Store.Reads);
        Assert.Equal(HttpStatusCode.OK, await api.MeStatusAsync(fresh));

        // The old instance still holds the old secret: nothing about the token itself changed.
        Assert.Equal(HttpStatusCode.OK, await f.Api.MeStatusAsync(f.AliceToken));
    }

    [Property(Arbitrary = [typeof(Arbitraries)], MaxTest = 300)]
    public async Task GetMe_ValidTokenWithOneBitFlipped_Returns401(BitFlip flip)
    {
        var flipped = flip.ApplyTo(f.AliceToken);

        // A flip inside the kid's tag or the subject costs no read; elsewhere Alice's key is cached, so at most one.
        await f.AssertRejectedAsync(flipped, maxReads: 1, because: $"bit {flip.Bit} of char {flip.Position}");
    }

    /// <summary>One flipped bit at a position in the token; the result is never the original token.</summary>
    public sealed record BitFlip(int Position, int Bit)
    {
        public string ApplyTo(string token)
        {
            var chars = token.ToCharArray();
            var at = Position % chars.Length;
            chars[at] = (char)(chars[at] ^ (1 << (Bit % 7)));
            return new string(chars);
        }
    }

    public static class Arbitraries
    {
        public static Arbitrary<BitFlip> BitFlip() =>
            Gen.Choose(0, 4096).Zip(Gen.Choose(0, 6), (p, b) => new BitFlip(p, b)).ToArbitrary();
    }
}
