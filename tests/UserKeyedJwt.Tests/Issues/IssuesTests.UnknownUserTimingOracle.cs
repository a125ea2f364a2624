using UserKeyedJwt.Tests.Support;

namespace UserKeyedJwt.Tests.Issues;

public partial class IssuesTests
{
    /// <summary>
    /// Timing oracle: an unknown subject returned right after the lookup, without the key derivation and signature check a
    /// known subject's bad token costs, so response times told deleted users from live ones. The handler now spends the
    /// same work on a dummy key (numbers in docs/security.md, probe: benchmarks `timing`). A first version of that work
    /// called IdentityModel's string overload, which re-entered the handler and overflowed the stack: every entry point is
    /// exercised here.
    /// </summary>
    [Fact]
    public async Task UnknownUserTimingOracle_DeletedUsersToken_RejectedAsUnknownUserThroughEveryEntryPoint()
    {
        using var f = new CoreFixture();
        var user = f.AddUser();
        var access = f.Issuer.Issue(user).Token;
        var refresh = f.Issuer.Issue(user, purpose: TokenPurpose.Refresh).Token;
        f.Users.Remove(user.UserId);
        f.Cache.Invalidate(user.UserId);
        var ct = TestContext.Current.CancellationToken;

        Assert.Equal(TokenFailureReason.UnknownUser, (await f.Handler.ValidateAsync(access, cancellationToken: ct)).FailureReason);
        Assert.Equal(TokenFailureReason.UnknownUser, (await f.Handler.ValidateAsync(refresh, TokenPurpose.Refresh, ct)).FailureReason);
        var bearer = await f.Handler.ValidateTokenAsync(access, f.Handler.CreateValidationParameters());
        Assert.False(bearer.IsValid);
        Assert.Equal(TokenFailureReason.UnknownUser, Assert.IsType<UserKeyedTokenValidationException>(bearer.Exception).Reason);
        var read = await f.Handler.ValidateTokenAsync(f.Handler.ReadJsonWebToken(access), f.Handler.CreateValidationParameters());
        Assert.False(read.IsValid);
        Assert.Equal(TokenFailureReason.UnknownUser, (await f.Handler.PrefetchAsync(access, f.Handler.CreateValidationParameters(), cancellationToken: ct)).FailureReason);
        Assert.Equal(5, f.Source.Calls);
    }
}
