using Microsoft.Extensions.DependencyInjection;
using UserKeyedJwt.AspNetCore.Tests.Support;

namespace UserKeyedJwt.AspNetCore.Tests.Adversarial;

/// <summary>
/// Access and refresh tokens are signed under different keys (the purpose is in the HKDF info) and carry different
/// <c>typ</c>: neither is accepted where the other is expected, and the refusal costs no user-store read.
/// </summary>
public sealed class TokenPurposeConfusionTests(AdversarialFixture f) : IClassFixture<AdversarialFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task GetMe_RefreshTokenAsBearer_Returns401WithoutStoreRead()
    {
        var refresh = await RefreshTokenAsync();

        await f.AssertRejectedAsync(refresh, maxReads: 0, because: "refresh token as bearer");
    }

    [Fact]
    public async Task GetMe_RefreshTokenWithAccessTypSignedWithAccessKeyOfAnotherPurpose_Returns401()
    {
        // The refresh token's kid and payload under an access header: the kid's tag binds the purpose, so it fails before any
        // read; and its signature is the refresh key's, never the access key's.
        var refresh = await RefreshTokenAsync();
        var header = Forge.With(Forge.Header(refresh), "typ", "at+jwt");

        await f.AssertRejectedAsync(Forge.Unsigned(header.ToJsonString(Forge.AsIssued), Forge.Json(Forge.Parts(refresh)[1]), refresh), maxReads: 0, because: "typ swapped");
    }

    [Fact]
    public async Task PostRefresh_AccessTokenAsRefreshToken_Returns401AndTheAccessTokenStaysValid()
    {
        var reads = f.Store.Reads;

        var (status, pair) = await f.Api.RefreshAsync(f.AliceToken);

        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, status);
        Assert.Null(pair);
        Assert.Equal(reads, f.Store.Reads);
        Assert.Equal(System.Net.HttpStatusCode.OK, await f.Api.MeStatusAsync(f.AliceToken));
    }

    [Fact]
    public async Task ValidateAsync_EachPurposeWhereTheOtherIsExpected_RejectedAsWrongPurposeWithoutStoreRead()
    {
        var handler = f.App.Services.GetRequiredService<UserKeyedTokenHandler>();
        var refresh = await RefreshTokenAsync();
        var reads = f.Store.Reads;

        var accessAsRefresh = await handler.ValidateAsync(f.AliceToken, TokenPurpose.Refresh, Ct);
        var refreshAsAccess = await handler.ValidateAsync(refresh, TokenPurpose.Access, Ct);

        Assert.Equal(TokenFailureReason.WrongPurpose, accessAsRefresh.FailureReason);
        Assert.Equal(TokenFailureReason.WrongPurpose, refreshAsAccess.FailureReason);
        Assert.Equal(reads, f.Store.Reads);
        Assert.True((await handler.ValidateAsync(refresh, TokenPurpose.Refresh, Ct)).IsValid);
    }

    private async Task<string> RefreshTokenAsync()
    {
        using var response = await f.Api.PostAsync($"{Api.Identity}/login", new { email = f.Alice.Email, password = f.Alice.Password });
        return (await Api.JsonAsync(response)).GetProperty("refreshToken").GetString()!;
    }
}
