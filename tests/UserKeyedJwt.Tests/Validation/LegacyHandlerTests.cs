using System.IdentityModel.Tokens.Jwt;
using Microsoft.IdentityModel.Tokens;
using UserKeyedJwt.Tests.Support;

namespace UserKeyedJwt.Tests.Validation;

/// <summary>The resolver serves the older JwtSecurityTokenHandler too, through PrefetchAsync, and fails closed without it.</summary>
public class LegacyHandlerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task JwtSecurityTokenHandler_WithPrefetch_ValidatesAndRejectsRevoked()
    {
        using var f = new CoreFixture(start: DateTimeOffset.UtcNow);
        var token = f.Issuer.Issue(f.AddUser()).Token;
        var legacy = new JwtSecurityTokenHandler { MapInboundClaims = false };
        var template = f.Handler.CreateValidationParameters();

        var prepared = await f.Handler.PrefetchAsync(token, template, cancellationToken: Ct);
        Assert.True(prepared.Succeeded);
        var principal = legacy.ValidateToken(token, prepared.ValidationParameters, out var validated);

        Assert.Equal("user-1", principal.FindFirst("sub")!.Value);
        Assert.IsType<JwtSecurityToken>(validated);

        f.AddUser(stamp: "stamp-2");
        var revoked = await f.Handler.PrefetchAsync(token, template, cancellationToken: Ct);
        Assert.Equal(TokenFailureReason.KeyInputsChanged, revoked.FailureReason);
        Assert.Null(revoked.ValidationParameters);
    }

    [Fact]
    public void JwtSecurityTokenHandler_WithoutPrefetch_FailsClosed()
    {
        using var f = new CoreFixture(start: DateTimeOffset.UtcNow);
        var token = f.Issuer.Issue(f.AddUser()).Token;
        var legacy = new JwtSecurityTokenHandler();

        Assert.ThrowsAny<SecurityTokenException>(() => legacy.ValidateToken(token, f.Handler.CreateValidationParameters(), out _));
    }

    [Fact]
    public async Task Resolver_AfterTheHandlerValidatedTheSameToken_DoesNotLeakItsKeyToTheCaller()
    {
        using var f = new CoreFixture(start: DateTimeOffset.UtcNow);
        var token = f.Issuer.Issue(f.AddUser()).Token;

        Assert.True((await f.Handler.ValidateAsync(token, cancellationToken: Ct)).IsValid);
        var jwt = new JwtSecurityToken(token);

        Assert.Empty(UserKeyedSigningKeyResolver.Resolve(token, jwt, jwt.Header.Kid, f.Handler.CreateValidationParameters()));
        Assert.ThrowsAny<SecurityTokenException>(() => new JwtSecurityTokenHandler().ValidateToken(token, f.Handler.CreateValidationParameters(), out _));
    }

    [Fact]
    public async Task Resolver_KeyPreparedForAnotherToken_ReturnsNothing()
    {
        using var f = new CoreFixture(start: DateTimeOffset.UtcNow);
        var tokenA = f.Issuer.Issue(f.AddUser()).Token;
        var tokenB = f.Issuer.Issue(f.AddUser(id: "user-2")).Token;

        var preparedForA = (await f.Handler.PrefetchAsync(tokenA, f.Handler.CreateValidationParameters(), cancellationToken: Ct)).ValidationParameters;
        var jwtB = new JwtSecurityToken(tokenB);

        Assert.Empty(UserKeyedSigningKeyResolver.Resolve(tokenB, jwtB, jwtB.Header.Kid, preparedForA!));
        Assert.Throws<SecurityTokenSignatureKeyNotFoundException>(() => new JwtSecurityTokenHandler().ValidateToken(tokenB, preparedForA, out _));
    }
}
