using UserKeyedJwt.Tests.Support;

namespace UserKeyedJwt.Tests;

public class UserKeyedTokenHandlerTests
{
    [Fact]
    public async Task ValidateAsync_FreshToken_IsValidWithSubject()
    {
        using var f = new CoreFixture();
        var user = f.AddUser();
        var issued = f.Issuer.Issue(user);

        var result = await f.Handler.ValidateAsync(issued.Token, cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(result.IsValid, result.FailureReason?.ToString());
        Assert.Equal("user-1", result.UserId);
    }

    [Fact]
    public async Task ValidateAsync_AfterStampChange_IsRevoked()
    {
        using var f = new CoreFixture();
        var issued = f.Issuer.Issue(f.AddUser());
        Assert.True((await f.Handler.ValidateAsync(issued.Token, cancellationToken: TestContext.Current.CancellationToken)).IsValid);

        f.AddUser(stamp: "stamp-2");

        var result = await f.Handler.ValidateAsync(issued.Token, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(TokenFailureReason.Revoked, result.FailureReason);
    }
}
