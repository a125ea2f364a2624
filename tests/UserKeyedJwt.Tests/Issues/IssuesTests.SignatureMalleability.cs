using UserKeyedJwt.Tests.Support;

namespace UserKeyedJwt.Tests.Issues;

public partial class IssuesTests
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    /// <summary>
    /// The 43rd character of an HS256 signature carries two unused bits: without a canonical-encoding check, three other
    /// characters decode to the same MAC and a "different" token would validate.
    /// </summary>
    [Fact]
    public async Task SignatureMalleability_LastCharacterSiblings_AreRejected()
    {
        using var f = new CoreFixture();
        var user = f.AddUser();
        var token = f.Issuer.Issue(user).Token;
        var last = Alphabet.IndexOf(token[^1], StringComparison.Ordinal);

        for (var spare = 1; spare < 4; spare++)
        {
            var sibling = token[..^1] + Alphabet[(last & ~0b11) | spare];

            var result = await f.Handler.ValidateAsync(sibling, cancellationToken: TestContext.Current.CancellationToken);

            Assert.Equal(TokenFailureReason.Malformed, result.FailureReason);
        }

        Assert.True((await f.Handler.ValidateAsync(token, cancellationToken: TestContext.Current.CancellationToken)).IsValid);
    }

    /// <summary>A header string that is not valid UTF-8 once unescaped made Utf8JsonReader throw InvalidOperationException.</summary>
    [Fact]
    public async Task InvalidUtf8InHeader_IsMalformedNotAnException()
    {
        using var f = new CoreFixture();
        var header = System.Buffers.Text.Base64Url.EncodeToString([.. "{\"alg\":\"HS256\",\"typ\":\"at+jwt\",\"kid\":\""u8, 0xC3, 0x28, .. "\"}"u8]);
        var token = header + "." + Tokens.Encode(Tokens.Payload(f, "user-1")) + "." + new string('A', 43);

        var result = await f.Handler.ValidateAsync(token, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(TokenFailureReason.Malformed, result.FailureReason);
    }
}
