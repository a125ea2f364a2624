using UserKeyedJwt.Tests.Support;

namespace UserKeyedJwt.Tests.Issues;

public partial class IssuesTests
{
    /// <summary>
    /// One signed token, two verdicts: a duplicated <c>sub</c>, a duplicated <c>exp</c> with the expired value first, or text
    /// after the payload JSON got 401 while the key was cold and 200 once it was warm, because the strict reader ran only on
    /// the cold path. Every token now takes the same steps.
    /// </summary>
    [Theory]
    [InlineData("duplicated sub")]
    [InlineData("duplicated exp, the expired value first")]
    [InlineData("trailing content")]
    public async Task OneTokenTwoVerdicts_ReportedCases_AreMalformedWhateverTheCacheHolds(string edit)
    {
        using var f = new CoreFixture();
        var user = f.AddUser();
        var genuine = f.Issuer.Issue(user).Token;
        var hostile = Tokens.Resign(genuine, f.KeyOf(user), payload: edit switch
        {
            "duplicated sub" => p => p.Insert(p.LastIndexOf('}'), ",\"sub\":\"user-1\""),
            "duplicated exp, the expired value first" => p => "{\"exp\":1," + p[1..],
            _ => p => p + "  {}",
        });
        var ct = TestContext.Current.CancellationToken;

        var cold = await f.Handler.ValidateAsync(hostile, cancellationToken: ct);
        Assert.True((await f.Handler.ValidateAsync(genuine, cancellationToken: ct)).IsValid);
        var warm = await f.Handler.ValidateAsync(hostile, cancellationToken: ct);

        Assert.Equal(TokenFailureReason.Malformed, cold.FailureReason);
        Assert.Equal(TokenFailureReason.Malformed, warm.FailureReason);
    }
}
