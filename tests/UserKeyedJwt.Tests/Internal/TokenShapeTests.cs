using Microsoft.IdentityModel.JsonWebTokens;
using UserKeyedJwt.Internal;
using UserKeyedJwt.Tests.Support;

namespace UserKeyedJwt.Tests.Internal;

public class TokenShapeTests
{
    [Theory]
    [InlineData(TokenPurpose.Access)]
    [InlineData(TokenPurpose.Refresh)]
    public void IsCanonicalHeader_IssuedToken_IsCanonicalForItsPurposeOnly(TokenPurpose purpose)
    {
        using var f = new CoreFixture();
        var token = f.Issuer.Issue(f.AddUser(), purpose: purpose).Token;
        var header = token[..token.IndexOf('.', StringComparison.Ordinal)];
        var kid = new JsonWebToken(token).Kid;
        var other = purpose == TokenPurpose.Access ? TokenPurpose.Refresh : TokenPurpose.Access;

        Assert.True(TokenShape.IsCanonicalHeader(header, kid, purpose));
        Assert.False(TokenShape.IsCanonicalHeader(header, kid, other));
        Assert.Null(TokenShape.ReadHeader(header, purpose));
    }

    [Theory]
    [InlineData(TokenPurpose.Access)]
    [InlineData(TokenPurpose.Refresh)]
    public void ReadCanonicalKid_IssuedToken_IsIdentityModelsKidForItsPurposeOnly(TokenPurpose purpose)
    {
        using var f = new CoreFixture();
        var token = f.Issuer.Issue(f.AddUser(), purpose: purpose).Token;
        var header = token[..token.IndexOf('.', StringComparison.Ordinal)];
        var other = purpose == TokenPurpose.Access ? TokenPurpose.Refresh : TokenPurpose.Access;

        Assert.Equal(new JsonWebToken(token).Kid, TokenShape.ReadCanonicalKid(header, purpose));
        Assert.Null(TokenShape.ReadCanonicalKid(header, other));
        Assert.Null(TokenShape.ReadHeader(header, purpose, out var kid));
        Assert.Equal(new JsonWebToken(token).Kid, kid);
    }

    [Theory]
    [InlineData("{\"alg\":\"HS256\",\"kid\":\"s1.AAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA\",\"typ\":\"at+jwt\"} ")] // trailing space
    [InlineData("{\"alg\":\"HS256\",\"kid\":\"s1.AAAA\\u0041AAAAAA.AAAAAAAAAAAAAAAAAAAAAA\",\"typ\":\"at+jwt\"}")] // escape in kid
    [InlineData("{\"alg\":\"HS256\",\"kid\":\"s1.AAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA\",\"x\":\"\",\"typ\":\"at+jwt\"}")] // a member inside the kid's span
    [InlineData("{\"alg\":\"HS256\",\"kid\":\"\",\"typ\":\"at+jwt\"}")] // empty kid
    [InlineData("{\"alg\":\"HS256\",\"kid\":\"s1.é\",\"typ\":\"at+jwt\"}")] // outside the kid alphabet
    [InlineData("{\"alg\":\"HS256\",\"kid\":\"s1.AAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA\",\"typ\":\"at+jwt\"")] // unterminated
    public void ReadCanonicalKid_AnythingButTheCanonicalHeader_IsNull(string json) =>
        Assert.Null(TokenShape.ReadCanonicalKid(Tokens.Encode(json), TokenPurpose.Access));

    [Fact]
    public void ReadCanonicalKid_NonCanonicalBase64Bits_IsNull()
    {
        var canonical = Tokens.Encode("{\"alg\":\"HS256\",\"kid\":\"s1.AAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA\",\"typ\":\"at+jwt\"}");
        Assert.Equal("s1.AAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA", TokenShape.ReadCanonicalKid(canonical, TokenPurpose.Access));

        // Flip the unused low bits of the last character: same bytes when decoded, a different header text.
        var last = canonical[^1];
        var alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        var tweaked = canonical[..^1] + alphabet[alphabet.IndexOf(last, StringComparison.Ordinal) | 1];
        Assert.Null(TokenShape.ReadCanonicalKid(tweaked, TokenPurpose.Access));
    }

    [Fact]
    public void IsCanonicalHeader_SameMembersReordered_IsNotCanonicalButStrictlyValid()
    {
        var kid = "s1.AAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA";
        var reordered = Tokens.Encode($"{{\"typ\":\"at+jwt\",\"kid\":\"{kid}\",\"alg\":\"HS256\"}}");

        Assert.False(TokenShape.IsCanonicalHeader(reordered, kid, TokenPurpose.Access));
        Assert.Null(TokenShape.ReadHeader(reordered, TokenPurpose.Access));
    }

    [Theory]
    [InlineData("{\"alg\":\"HS256\",\"kid\":\"K\",\"typ\":\"at+jwt\",\"jku\":\"https://evil\"}")]
    [InlineData("{\"alg\":\"HS256\",\"alg\":\"none\",\"kid\":\"K\",\"typ\":\"at+jwt\"}")]
    [InlineData("{\"alg\":\"HS256\",\"kid\":\"K\"}")]
    [InlineData("{\"alg\":\"HS256\",\"kid\":\"K\",\"typ\":\"JWT\"}")]
    [InlineData("[\"alg\"]")]
    public void ReadHeader_NotOurShape_IsMalformed(string json)
    {
        var encoded = Tokens.Encode(json.Replace("K", "s1.AAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA", StringComparison.Ordinal));

        Assert.False(TokenShape.IsCanonicalHeader(encoded, "s1.AAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA", TokenPurpose.Access));
        Assert.Equal(TokenFailureReason.Malformed, TokenShape.ReadHeader(encoded, TokenPurpose.Access));
    }
}
