using UserKeyedJwt.Tests.Support;

namespace UserKeyedJwt.Tests.Issues;

public partial class IssuesTests
{
    /// <summary>
    /// The kid tag did not bind the purpose: a refresh token's kid on an access payload passed the tag check, reached the key
    /// derivation, and cached the access key under the refresh fingerprint. The tag now covers the purpose, so such a kid is
    /// rejected before any lookup, and the genuine tokens of both purposes are unaffected.
    /// </summary>
    [Theory]
    [InlineData(TokenPurpose.Access)]
    [InlineData(TokenPurpose.Refresh)]
    public async Task KidTagPurpose_RefreshKidOnAnAccessToken_IsInvalidKidTagWithoutALookup(TokenPurpose signedWith)
    {
        using var f = new CoreFixture();
        var user = f.AddUser();
        var access = f.Issuer.Issue(user).Token;
        var refresh = f.Issuer.Issue(user, purpose: TokenPurpose.Refresh).Token;
        var refreshKid = new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken(refresh).Kid;
        var accessKid = new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken(access).Kid;
        var ct = TestContext.Current.CancellationToken;

        // Signed as the server would sign it, under either purpose's real key: only the kid's tag can reject it.
        var crossed = Tokens.Resign(access, f.KeyOf(user, signedWith), header: h => h.Replace(accessKid, refreshKid, StringComparison.Ordinal));

        Assert.Equal(TokenFailureReason.InvalidKidTag, (await f.Handler.ValidateAsync(crossed, cancellationToken: ct)).FailureReason);
        Assert.Equal(0, f.Source.Calls);
        Assert.True((await f.Handler.ValidateAsync(access, cancellationToken: ct)).IsValid);
        Assert.True((await f.Handler.ValidateAsync(refresh, TokenPurpose.Refresh, ct)).IsValid);
        Assert.Equal(TokenFailureReason.InvalidKidTag, (await f.Handler.ValidateAsync(crossed, cancellationToken: ct)).FailureReason);
        Assert.Equal(2, f.Source.Calls);
    }
}
