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
