using System.Security.Claims;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using UserKeyedJwt.Tests.Support;

namespace UserKeyedJwt.Tests.Sessions;

public sealed class UserKeyedSessionsTests
{
    [Fact]
    public async Task Start_BothTokensCarrySidAndAuthTime_AndValidateForTheirPurposeOnly()
    {
        using var f = new SessionFixture();
        var tokens = f.Sessions.Start(f.AddUser(), [new Claim("role", "editor")]);

        var access = await f.Handler.ValidateAsync(tokens.AccessToken.Token, TokenPurpose.Access, TestContext.Current.CancellationToken);
        Assert.True(access.IsValid);
        Assert.Equal(tokens.Session.SessionId, access.Token!.GetPayloadValue<string>("sid"));
        Assert.Equal(CoreFixture.Start.ToUnixTimeSeconds(), access.Token.GetPayloadValue<long>("auth_time"));
        Assert.Null(await f.RefreshValidAsync(tokens.RefreshToken.Token));
        Assert.Equal(TokenFailureReason.WrongPurpose, await f.AccessAsync(tokens.RefreshToken.Token));
        Assert.Equal(TokenFailureReason.WrongPurpose, await f.RefreshValidAsync(tokens.AccessToken.Token));
        Assert.Equal(TimeSpan.FromMinutes(10), tokens.AccessToken.Lifetime);
        Assert.Equal(TimeSpan.FromDays(7), tokens.RefreshToken.Lifetime);
    }

    [Fact]
    public async Task Redeem_AccessToken_IsRejectedAsWrongPurpose()
    {
        using var f = new SessionFixture();
        var tokens = f.Sessions.Start(f.AddUser());
        var redemption = await f.RedeemAsync(tokens.AccessToken.Token);
        Assert.Equal(RefreshRedemptionStatus.Rejected, redemption.Status);
        Assert.Equal(TokenFailureReason.WrongPurpose, redemption.FailureReason);
    }

    [Fact]
    public async Task Redeem_SameTokenTwice_SecondIsReusedAndTheWholeSessionIsRevoked()
    {
        using var f = new SessionFixture();
        using var refreshes = new Microsoft.Extensions.Diagnostics.Metrics.Testing.MetricCollector<long>(f.MeterFactory, "UserKeyedJwt", "userkeyedjwt.sessions.refreshes");
        var user = f.AddUser();
        var first = f.Sessions.Start(user);
        var redeemed = await f.RedeemAsync(first.RefreshToken.Token);
        Assert.Equal(RefreshRedemptionStatus.Redeemed, redeemed.Status);
        var second = f.Sessions.Continue(user, redeemed.Session!)!;
        Assert.Equal(first.Session.SessionId, second.Session.SessionId);
        Assert.Null(await f.AccessAsync(second.AccessToken.Token));

        f.Time.Advance(TimeSpan.FromSeconds(1));
        var reused = await f.RedeemAsync(first.RefreshToken.Token);

        Assert.Equal(RefreshRedemptionStatus.Reused, reused.Status);
        Assert.Equal(TokenFailureReason.TokenRevoked, await f.AccessAsync(second.AccessToken.Token));
        Assert.Equal(TokenFailureReason.TokenRevoked, await f.RefreshValidAsync(second.RefreshToken.Token));
        Assert.Contains(f.Logs.GetSnapshot(), r => r.Id.Id == 1101);
        Assert.Equal(["redeemed", "reused"], refreshes.GetMeasurementSnapshot().Select(m => (string)m.Tags["result"]!));
    }

    [Fact]
    public async Task Redeem_WithinGraceWindow_BothSucceed_AfterItIsReuse()
    {
        using var f = new SessionFixture(o => o.RefreshReuseGraceWindow = TimeSpan.FromSeconds(10));
        var tokens = f.Sessions.Start(f.AddUser());
        Assert.Equal(RefreshRedemptionStatus.Redeemed, (await f.RedeemAsync(tokens.RefreshToken.Token)).Status);
        f.Time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(RefreshRedemptionStatus.Redeemed, (await f.RedeemAsync(tokens.RefreshToken.Token)).Status);
        f.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(RefreshRedemptionStatus.Reused, (await f.RedeemAsync(tokens.RefreshToken.Token)).Status);
    }

    [Fact]
    public async Task Redeem_AfterInactivityTimeout_IsRejectedAsExpired()
    {
        using var f = new SessionFixture(o => o.InactivityTimeout = TimeSpan.FromDays(7));
        var tokens = f.Sessions.Start(f.AddUser());
        f.Time.Advance(TimeSpan.FromDays(7) + TimeSpan.FromMinutes(1));
        var redemption = await f.RedeemAsync(tokens.RefreshToken.Token);
        Assert.Equal(RefreshRedemptionStatus.Rejected, redemption.Status);
        Assert.Equal(TokenFailureReason.Expired, redemption.FailureReason);
    }

    [Fact]
    public async Task Redeem_RefreshedBeforeEachTimeout_SlidesUntilTheAbsoluteLifetime()
    {
        using var f = new SessionFixture(o =>
        {
            o.AbsoluteLifetime = TimeSpan.FromDays(30);
            o.InactivityTimeout = TimeSpan.FromDays(7);
        });
        var user = f.AddUser();
        var tokens = f.Sessions.Start(user);
        var elapsed = TimeSpan.Zero;
        while (elapsed + TimeSpan.FromDays(6) < TimeSpan.FromDays(30))
        {
            f.Time.Advance(TimeSpan.FromDays(6));
            elapsed += TimeSpan.FromDays(6);
            var redemption = await f.RedeemAsync(tokens.RefreshToken.Token);
            Assert.Equal(RefreshRedemptionStatus.Redeemed, redemption.Status);
            tokens = f.Sessions.Continue(user, redemption.Session!)!;
            // No token of the session outlives its absolute end.
            Assert.True(tokens.RefreshToken.ExpiresAt <= CoreFixture.Start + TimeSpan.FromDays(30));
            Assert.True(tokens.AccessToken.ExpiresAt <= CoreFixture.Start + TimeSpan.FromDays(30));
        }

        // Day 24: the last refresh token expires at day 30 exactly, the absolute end.
        Assert.Equal(CoreFixture.Start + TimeSpan.FromDays(30), tokens.RefreshToken.ExpiresAt);
        f.Time.Advance(TimeSpan.FromDays(6));
        var late = await f.RedeemAsync(tokens.RefreshToken.Token);
        Assert.Equal(RefreshRedemptionStatus.Rejected, late.Status);
        Assert.Null(f.Sessions.Continue(user, tokens.Session));
    }

    [Fact]
    public async Task Redeem_PastAbsoluteLifetimeWithinClockSkew_IsRejectedByTheSessionCheck()
    {
        using var f = new SessionFixture(o =>
        {
            o.AbsoluteLifetime = TimeSpan.FromDays(2);
            o.InactivityTimeout = TimeSpan.FromDays(2);
        });
        var tokens = f.Sessions.Start(f.AddUser());
        // The token's exp is the absolute end; within the 30 s skew the token itself still validates.
        f.Time.Advance(TimeSpan.FromDays(2) + TimeSpan.FromSeconds(10));
        Assert.Null(await f.RefreshValidAsync(tokens.RefreshToken.Token));
        var redemption = await f.RedeemAsync(tokens.RefreshToken.Token);
        Assert.Equal(TokenFailureReason.Expired, redemption.FailureReason);
        Assert.Contains(f.Logs.GetSnapshot(), r => r.Id.Id == 1105);
    }

    [Fact]
    public async Task End_RevokesThisSessionOnly()
    {
        using var f = new SessionFixture();
        var user = f.AddUser();
        var phone = f.Sessions.Start(user);
        var laptop = f.Sessions.Start(user);

        await f.Sessions.EndAsync(phone.Session, TestContext.Current.CancellationToken);

        Assert.Equal(TokenFailureReason.TokenRevoked, await f.AccessAsync(phone.AccessToken.Token));
        Assert.Equal(RefreshRedemptionStatus.Rejected, (await f.RedeemAsync(phone.RefreshToken.Token)).Status);
        Assert.Null(await f.AccessAsync(laptop.AccessToken.Token));
        Assert.Equal(RefreshRedemptionStatus.Redeemed, (await f.RedeemAsync(laptop.RefreshToken.Token)).Status);
    }

    [Fact]
    public async Task RevokeToken_RevokesThatTokenOnly()
    {
        using var f = new SessionFixture();
        var user = f.AddUser();
        var a = f.Issuer.Issue(user);
        var b = f.Issuer.Issue(user);
        await f.Sessions.RevokeTokenAsync(a.TokenId, a.ExpiresAt, TestContext.Current.CancellationToken);
        Assert.Equal(TokenFailureReason.TokenRevoked, await f.AccessAsync(a.Token));
        Assert.Null(await f.AccessAsync(b.Token));
    }

    [Fact]
    public async Task Validate_ForgedOrTamperedToken_NeverCallsTheRevocationStore()
    {
        using var f = new SessionFixture();
        var tokens = f.Sessions.Start(f.AddUser());
        var calls = f.Store.Calls;
        var parts = tokens.AccessToken.Token.Split('.');
        var tampered = parts[0] + "." + parts[1] + "." + (parts[2][0] == 'A' ? 'B' : 'A') + parts[2][1..];

        Assert.Equal(TokenFailureReason.InvalidSignature, await f.AccessAsync(tampered));
        Assert.Equal(TokenFailureReason.InvalidKidTag, await f.AccessAsync(WithForgedTag(tokens.AccessToken.Token)));
        Assert.Equal(calls, f.Store.Calls);
        Assert.Null(await f.AccessAsync(tokens.AccessToken.Token));
        Assert.Equal(calls + 1, f.Store.Calls);
    }

    [Fact]
    public async Task Validate_StoreDown_FailsClosedByDefault_AndCounts()
    {
        using var f = new SessionFixture();
        var tokens = f.Sessions.Start(f.AddUser());
        f.Store.Down = true;
        Assert.Equal(TokenFailureReason.StoreUnavailable, await f.AccessAsync(tokens.AccessToken.Token));
        Assert.Equal(TokenFailureReason.StoreUnavailable, (await f.RedeemAsync(tokens.RefreshToken.Token)).FailureReason);
        Assert.Contains(f.Logs.GetSnapshot(), r => r.Id.Id == 1103);
        f.Store.Down = false;
        Assert.Null(await f.AccessAsync(tokens.AccessToken.Token));
    }

    [Fact]
    public async Task Validate_StoreDownWithFailOpen_AcceptsAccessTokens_RefreshStillFailsClosed()
    {
        using var f = new SessionFixture(o => o.RevocationStoreFailure = RevocationStoreFailureMode.FailOpen);
        var tokens = f.Sessions.Start(f.AddUser());
        f.Store.Down = true;
        Assert.Null(await f.AccessAsync(tokens.AccessToken.Token));
        Assert.Equal(TokenFailureReason.StoreUnavailable, (await f.RedeemAsync(tokens.RefreshToken.Token)).FailureReason);
    }

    [Fact]
    public async Task Redeem_AfterStampRotation_IsRejectedAsRevoked()
    {
        using var f = new SessionFixture();
        var tokens = f.Sessions.Start(f.AddUser());
        f.AddUser(stamp: "stamp-2");
        Assert.Equal(TokenFailureReason.KeyInputsChanged, (await f.RedeemAsync(tokens.RefreshToken.Token)).FailureReason);
    }

    [Fact]
    public void Issue_SessionClaimsFromCaller_AreRefused()
    {
        using var f = new SessionFixture();
        var user = f.AddUser();
        Assert.Throws<ArgumentException>(() => f.Issuer.Issue(user, [new Claim("sid", "chosen")]));
        Assert.Throws<ArgumentException>(() => f.Issuer.Issue(user, [new Claim("auth_time", "0")]));
    }

    [Theory]
    [InlineData("AbsoluteLifetime", 0)]
    [InlineData("InactivityTimeout", 31)]
    [InlineData("RefreshReuseGraceWindow", 2)]
    public void Startup_InvalidSessionSetting_FailsNamingIt(string setting, int value)
    {
        var ex = Assert.Throws<OptionsValidationException>(() => ValidateSessionOptions(o =>
        {
            switch (setting)
            {
                case "AbsoluteLifetime": o.AbsoluteLifetime = TimeSpan.FromDays(value); break;
                case "InactivityTimeout": o.InactivityTimeout = TimeSpan.FromDays(value); break;
                default: o.RefreshReuseGraceWindow = TimeSpan.FromMinutes(value); break;
            }
        }));
        Assert.Contains("UserKeyedJwt:Sessions:" + setting, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Startup_InactivityLongerThanRefreshTokenLifetime_FailsNamingBoth()
    {
        var ex = Assert.Throws<OptionsValidationException>(() => ValidateSessionOptions(o => o.InactivityTimeout = TimeSpan.FromDays(20)));
        Assert.Contains("UserKeyedJwt:Sessions:InactivityTimeout", ex.Message, StringComparison.Ordinal);
        Assert.Contains("UserKeyedJwt:RefreshTokenLifetime", ex.Message, StringComparison.Ordinal);
    }

    private static UserKeyedSessionOptions ValidateSessionOptions(Action<UserKeyedSessionOptions> configure)
    {
        var services = new ServiceCollection();
        services.AddUserKeyedJwt(o =>
        {
            o.Issuer = "https://issuer.test";
            o.Audience = "api.test";
            o.ServerSecrets.Add(new ServerSecretOptions { Id = "s1", Secret = CoreFixture.NewSecret() });
        });
        services.AddUserKeyedJwtSessions(configure);
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<UserKeyedSessionOptions>>().Value;
    }

    private static string WithForgedTag(string token)
    {
        var parts = token.Split('.');
        var header = System.Text.Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(parts[0]));
        var kid = System.Text.Json.JsonDocument.Parse(header).RootElement.GetProperty("kid").GetString()!;
        // Flip the tag's first character: all six of its bits count, so the kid stays canonical and only the tag is wrong.
        var at = kid.LastIndexOf('.') + 1;
        var forgedKid = kid[..at] + (kid[at] == 'A' ? 'B' : 'A') + kid[(at + 1)..];
        return $"{Tokens.Encode(header.Replace(kid, forgedKid, StringComparison.Ordinal))}.{parts[1]}.{parts[2]}";
    }
}
