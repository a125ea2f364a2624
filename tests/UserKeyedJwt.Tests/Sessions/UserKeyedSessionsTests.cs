using System.Security.Claims;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Options;
using UserKeyedJwt.Tests.Support;

namespace UserKeyedJwt.Tests.Sessions;

public sealed class UserKeyedSessionsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Start_BothTokensCarryTheSession_AndValidateForTheirPurposeOnly()
    {
        using var f = new SessionFixture();
        var tokens = await f.Sessions.StartAsync(f.AddUser(), [new Claim("role", "editor")], "Firefox", Ct);

        var access = await f.Handler.ValidateAsync(tokens.AccessToken.Token, TokenPurpose.Access, Ct);
        var refresh = await f.Handler.ValidateAsync(tokens.RefreshToken.Token, TokenPurpose.Refresh, Ct);
        Assert.True(access.IsValid);
        Assert.True(refresh.IsValid);
        Assert.Equal(tokens.Session.Id, access.Token!.GetPayloadValue<string>("sid"));
        Assert.Equal(tokens.Session.Id, refresh.Token!.GetPayloadValue<string>("sid"));
        Assert.Equal(CoreFixture.Start.ToUnixTimeSeconds(), access.Token.GetPayloadValue<long>("auth_time"));
        Assert.Equal(0, refresh.Token.GetPayloadValue<long>("gen"));
        Assert.False(access.Token.TryGetClaim("gen", out _));
        Assert.False(refresh.Token.TryGetClaim("role", out _));
        Assert.Equal(TokenFailureReason.WrongPurpose, await f.AccessAsync(tokens.RefreshToken.Token));
        Assert.Equal(TokenFailureReason.WrongPurpose, await f.RefreshValidAsync(tokens.AccessToken.Token));
        Assert.Equal(TimeSpan.FromMinutes(10), tokens.AccessToken.Lifetime);
        Assert.Equal(TimeSpan.FromDays(7), tokens.RefreshToken.Lifetime);

        var stored = await f.Store.FindAsync(tokens.Session.Id, Ct);
        Assert.NotNull(stored);
        Assert.Equal(("user-1", 0L, "Firefox", CoreFixture.Start, CoreFixture.Start + TimeSpan.FromDays(30)), (stored.UserId, stored.Generation, stored.Device, stored.LastRefreshedAt, stored.ExpiresAt));
        Assert.Contains(f.Logs.GetSnapshot(), r => r.Id.Id == 1100);
    }

    [Fact]
    public async Task Start_DeviceLabel_KeepsPrintableCharactersOnly_AndIsCut()
    {
        using var f = new SessionFixture();
        var tokens = await f.StartAsync(f.AddUser(), "  Mozilla\r\n\u0000/5.0 " + new string('x', 100));
        Assert.Equal(UserKeyedSession.MaxDeviceLength, tokens.Session.Device!.Length);
        Assert.StartsWith("Mozilla/5.0 xx", tokens.Session.Device, StringComparison.Ordinal);
        Assert.Null((await f.StartAsync(f.AddUser(), " \t ")).Session.Device);
    }

    [Fact]
    public async Task Refresh_AccessToken_IsRefusedAsWrongPurpose()
    {
        using var f = new SessionFixture();
        var tokens = await f.StartAsync(f.AddUser());
        var result = await f.RefreshAsync(tokens.AccessToken.Token);
        Assert.False(result.Succeeded);
        Assert.Equal(TokenFailureReason.WrongPurpose, result.FailureReason);
        Assert.Equal(0, (await f.Store.FindAsync(tokens.Session.Id, Ct))!.Generation);
    }

    [Fact]
    public async Task Refresh_Rotates_AdvancingTheGenerationOnce_AndPassesTheInputsToTheClaimsCallback()
    {
        using var f = new SessionFixture();
        var user = f.AddUser();
        var first = await f.StartAsync(user);
        f.Time.Advance(TimeSpan.FromMinutes(5));
        UserKeyInputs? seen = null;

        var result = await f.Sessions.RefreshAsync(first.RefreshToken.Token, (inputs, _) =>
        {
            seen = inputs;
            return ValueTask.FromResult<IEnumerable<Claim>>([new Claim("role", "editor")]);
        }, Ct);

        Assert.True(result.Succeeded);
        Assert.Equal(user, seen);
        var next = result.Tokens!;
        Assert.Equal(first.Session.Id, next.Session.Id);
        Assert.Equal(1, next.Session.Generation);
        var access = await f.Handler.ValidateAsync(next.AccessToken.Token, TokenPurpose.Access, Ct);
        Assert.Equal("editor", access.Token!.GetPayloadValue<string>("role"));
        Assert.Equal(1, (await f.Handler.ValidateAsync(next.RefreshToken.Token, TokenPurpose.Refresh, Ct)).Token!.GetPayloadValue<long>("gen"));
        var stored = (await f.Store.FindAsync(first.Session.Id, Ct))!;
        Assert.Equal((1L, CoreFixture.Start.AddMinutes(5)), (stored.Generation, stored.LastRefreshedAt));
        // The session's earlier access token belongs to the same live session: it stays valid until it expires.
        Assert.Null(await f.AccessAsync(first.AccessToken.Token));
    }

    [Fact]
    public async Task Refresh_SameTokenTwice_IsReuse_AndEndsTheSession()
    {
        using var f = new SessionFixture();
        using var refreshes = new MetricCollector<long>(f.MeterFactory, "UserKeyedJwt", "userkeyedjwt.sessions.refreshes");
        using var ended = new MetricCollector<long>(f.MeterFactory, "UserKeyedJwt", "userkeyedjwt.sessions.ended");
        var first = await f.StartAsync(f.AddUser());
        var second = (await f.RefreshAsync(first.RefreshToken.Token)).Tokens!;
        Assert.Null(await f.AccessAsync(second.AccessToken.Token));

        f.Time.Advance(TimeSpan.FromSeconds(1));
        var reused = await f.RefreshAsync(first.RefreshToken.Token);

        Assert.True(reused.ReuseDetected);
        Assert.False(reused.Succeeded);
        Assert.Null(await f.Store.FindAsync(first.Session.Id, Ct));
        Assert.Equal(TokenFailureReason.SessionEnded, await f.AccessAsync(second.AccessToken.Token));
        Assert.Equal(TokenFailureReason.SessionEnded, await f.AccessAsync(first.AccessToken.Token));
        Assert.Equal(TokenFailureReason.SessionEnded, (await f.RefreshAsync(second.RefreshToken.Token)).FailureReason);
        Assert.Contains(f.Logs.GetSnapshot(), r => r.Id.Id == 1101);
        Assert.Equal(["redeemed", "reused", "rejected"], refreshes.GetMeasurementSnapshot().Select(m => (string)m.Tags["result"]!));
        Assert.Equal("reused", Assert.Single(ended.GetMeasurementSnapshot()).Tags["reason"]);
    }

    [Fact]
    public async Task Refresh_WithinGraceWindow_GetsThePairOfTheCurrentGeneration_AndTheWindowIsNotMoved()
    {
        using var f = new SessionFixture(o => o.RefreshReuseGraceWindow = TimeSpan.FromSeconds(10));
        var first = await f.StartAsync(f.AddUser());
        var redeemed = (await f.RefreshAsync(first.RefreshToken.Token)).Tokens!;

        f.Time.Advance(TimeSpan.FromSeconds(5));
        var grace = await f.RefreshAsync(first.RefreshToken.Token);
        f.Time.Advance(TimeSpan.FromSeconds(5));
        var graceAgain = await f.RefreshAsync(first.RefreshToken.Token);
        var stored = (await f.Store.FindAsync(first.Session.Id, Ct))!;
        f.Time.Advance(TimeSpan.FromSeconds(1));
        var late = await f.RefreshAsync(first.RefreshToken.Token);

        Assert.Equal(1, grace.Tokens!.Session.Generation);
        Assert.Equal(1, graceAgain.Tokens!.Session.Generation);
        // Grace redemptions neither advance the session nor move the window's start: 11 s after the real one, it is reuse.
        Assert.Equal((1L, CoreFixture.Start), (stored.Generation, stored.LastRefreshedAt));
        Assert.True(late.ReuseDetected);
        Assert.Equal(TokenFailureReason.SessionEnded, await f.AccessAsync(redeemed.AccessToken.Token));
        Assert.Contains(f.Logs.GetSnapshot(), r => r.Id.Id == 1102);
    }

    [Fact]
    public async Task Refresh_TwoGenerationsOld_WithinGraceWindow_IsStillReuse()
    {
        using var f = new SessionFixture(o => o.RefreshReuseGraceWindow = TimeSpan.FromSeconds(30));
        var first = await f.StartAsync(f.AddUser());
        var second = (await f.RefreshAsync(first.RefreshToken.Token)).Tokens!;
        Assert.True((await f.RefreshAsync(second.RefreshToken.Token)).Succeeded);
        Assert.True((await f.RefreshAsync(first.RefreshToken.Token)).ReuseDetected);
    }

    [Fact]
    public async Task Refresh_AfterInactivityTimeout_IsRefusedAsExpired()
    {
        using var f = new SessionFixture(o => o.InactivityTimeout = TimeSpan.FromDays(7));
        var tokens = await f.StartAsync(f.AddUser());
        f.Time.Advance(TimeSpan.FromDays(7) + TimeSpan.FromMinutes(1));
        Assert.Equal(TokenFailureReason.Expired, (await f.RefreshAsync(tokens.RefreshToken.Token)).FailureReason);
        Assert.Empty(await f.Sessions.ListAsync("user-1", Ct));
    }

    [Fact]
    public async Task Refresh_BeforeEachTimeout_SlidesUntilTheAbsoluteLifetime_AndNoTokenOutlivesIt()
    {
        using var f = new SessionFixture(o =>
        {
            o.AbsoluteLifetime = TimeSpan.FromDays(30);
            o.InactivityTimeout = TimeSpan.FromDays(7);
        });
        var tokens = await f.StartAsync(f.AddUser());
        var end = CoreFixture.Start + TimeSpan.FromDays(30);
        for (var day = 6; day < 30; day += 6)
        {
            f.Time.Advance(TimeSpan.FromDays(6));
            var result = await f.RefreshAsync(tokens.RefreshToken.Token);
            Assert.True(result.Succeeded, $"day {day}: {result.FailureReason}");
            tokens = result.Tokens!;
            Assert.True(tokens.RefreshToken.ExpiresAt <= end);
            Assert.True(tokens.AccessToken.ExpiresAt <= end);
        }

        // Day 24: the last refresh token expires at day 30 exactly, the absolute end.
        Assert.Equal(end, tokens.RefreshToken.ExpiresAt);
        f.Time.Advance(TimeSpan.FromDays(6));
        Assert.False((await f.RefreshAsync(tokens.RefreshToken.Token)).Succeeded);
    }

    [Fact]
    public async Task Refresh_PastTheAbsoluteEndWithinClockSkew_IsRefusedByTheSession()
    {
        using var f = new SessionFixture(o =>
        {
            o.AbsoluteLifetime = TimeSpan.FromDays(2);
            o.InactivityTimeout = TimeSpan.FromDays(2);
        });
        var tokens = await f.StartAsync(f.AddUser());
        // The token's exp is the absolute end; within the 30 s skew the token itself still validates, the session does not.
        f.Time.Advance(TimeSpan.FromDays(2) + TimeSpan.FromSeconds(10));
        f.Cache.Invalidate("user-1");
        Assert.Equal(TokenFailureReason.SessionEnded, (await f.RefreshAsync(tokens.RefreshToken.Token)).FailureReason);
    }

    [Fact]
    public async Task Refresh_AfterStampRotation_IsRefusedAsKeyInputsChanged()
    {
        using var f = new SessionFixture();
        var tokens = await f.StartAsync(f.AddUser());
        f.AddUser(stamp: "stamp-2");
        Assert.Equal(TokenFailureReason.KeyInputsChanged, (await f.RefreshAsync(tokens.RefreshToken.Token)).FailureReason);
        Assert.Equal(TokenFailureReason.KeyInputsChanged, await f.AccessAsync(tokens.AccessToken.Token));
        Assert.Equal(0, (await f.Store.FindAsync(tokens.Session.Id, Ct))!.Generation);
    }

    [Fact]
    public async Task Refresh_OfARefreshTokenOnTheDenylist_IsRefusedAsRevoked()
    {
        using var f = new SessionFixture();
        var tokens = await f.StartAsync(f.AddUser());
        Assert.True(await f.Sessions.RevokeTokenAsync("user-1", tokens.RefreshToken.TokenId, tokens.RefreshToken.ExpiresAt, Ct));

        Assert.Equal(TokenFailureReason.TokenRevoked, (await f.RefreshAsync(tokens.RefreshToken.Token)).FailureReason);
        Assert.Equal(0, (await f.Store.FindAsync(tokens.Session.Id, Ct))!.Generation);
    }

    [Fact]
    public async Task Refresh_StoreWriteFails_IsRefusedAsStoreUnavailable_AndTheTokenStillRedeemsLater()
    {
        using var f = new SessionFixture();
        var tokens = await f.StartAsync(f.AddUser());
        f.Store.BeforeAdvance = () => throw new IOException("session store unreachable");

        Assert.Equal(TokenFailureReason.StoreUnavailable, (await f.RefreshAsync(tokens.RefreshToken.Token)).FailureReason);
        Assert.Contains(f.Logs.GetSnapshot(), r => r.Id.Id == 1004);
        Assert.True((await f.RefreshAsync(tokens.RefreshToken.Token)).Succeeded);
    }

    [Fact]
    public async Task Refresh_StoreWriteHangs_IsRefusedWithinTheStoreTimeout()
    {
        using var f = new SessionFixture(core: o => o.StoreTimeout = TimeSpan.FromSeconds(2));
        var tokens = await f.StartAsync(f.AddUser());
        var hang = new TaskCompletionSource();
        f.Store.BeforeAdvance = () => hang.Task;

        var refresh = f.RefreshAsync(tokens.RefreshToken.Token);
        while (!refresh.IsCompleted && f.Time.GetUtcNow() < CoreFixture.Start.AddSeconds(10))
        {
            await Task.Delay(10, Ct);
            f.Time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.True(refresh.IsCompleted, "the refresh waited past the store timeout");
        Assert.Equal(TokenFailureReason.StoreUnavailable, (await refresh).FailureReason);
        hang.SetResult();
    }

    [Fact]
    public async Task End_EndsThisSessionOnly_AndNotAnotherUsersSession()
    {
        using var f = new SessionFixture();
        var user = f.AddUser();
        var phone = await f.StartAsync(user);
        var laptop = await f.StartAsync(user);
        var other = await f.StartAsync(f.AddUser("user-2"));
        Assert.Null(await f.AccessAsync(phone.AccessToken.Token));

        Assert.False(await f.Sessions.EndAsync("user-1", other.Session.Id, SessionEndReason.Ended, "user-1", Ct));
        Assert.True(await f.Sessions.EndAsync("user-1", phone.Session.Id, SessionEndReason.Logout, "user-1", Ct));

        Assert.Equal(TokenFailureReason.SessionEnded, await f.AccessAsync(phone.AccessToken.Token));
        Assert.Equal(TokenFailureReason.SessionEnded, (await f.RefreshAsync(phone.RefreshToken.Token)).FailureReason);
        Assert.Null(await f.AccessAsync(laptop.AccessToken.Token));
        Assert.Null(await f.AccessAsync(other.AccessToken.Token));
        Assert.True((await f.RefreshAsync(laptop.RefreshToken.Token)).Succeeded);
        Assert.Contains(f.Logs.GetSnapshot(), r => r.Id.Id == 1104 && r.Message.Contains("logout", StringComparison.Ordinal));
    }

    [Fact]
    public async Task EndAll_ExceptTheCaller_EndsTheOthers_AndLeavesTheCallersTokensAsTheyAre()
    {
        using var f = new SessionFixture();
        var user = f.AddUser();
        var caller = await f.StartAsync(user);
        var others = new[] { await f.StartAsync(user), await f.StartAsync(user) };

        Assert.Equal(2, await f.Sessions.EndAllAsync("user-1", caller.Session.Id, SessionEndReason.LogoutOthers, "user-1", Ct));

        foreach (var ended in others)
        {
            Assert.False(await f.AnyAliveAsync(ended));
        }

        Assert.Null(await f.AccessAsync(caller.AccessToken.Token));
        Assert.Equal(0, (await f.Store.FindAsync(caller.Session.Id, Ct))!.Generation);
        Assert.True((await f.RefreshAsync(caller.RefreshToken.Token)).Succeeded);
        Assert.Equal(1, await f.Sessions.EndAllAsync("user-1", null, SessionEndReason.LogoutAll, "user-1", Ct));
        Assert.Empty(await f.Sessions.ListAsync("user-1", Ct));
    }

    [Fact]
    public async Task Start_BeyondTheCap_EndsTheSessionRefreshedLongestAgo()
    {
        using var f = new SessionFixture(o => o.MaxSessionsPerUser = 2);
        using var ended = new MetricCollector<long>(f.MeterFactory, "UserKeyedJwt", "userkeyedjwt.sessions.ended");
        var user = f.AddUser();
        var oldest = await f.StartAsync(user);
        f.Time.Advance(TimeSpan.FromSeconds(1));
        var middle = await f.StartAsync(user);
        f.Time.Advance(TimeSpan.FromSeconds(1));
        // Refreshing the oldest makes the middle one the longest idle.
        oldest = (await f.RefreshAsync(oldest.RefreshToken.Token)).Tokens!;
        f.Time.Advance(TimeSpan.FromSeconds(1));
        var newest = await f.StartAsync(user);

        Assert.False(await f.AnyAliveAsync(middle));
        Assert.Null(await f.AccessAsync(oldest.AccessToken.Token));
        Assert.Null(await f.AccessAsync(newest.AccessToken.Token));
        Assert.Equal([newest.Session.Id, oldest.Session.Id], (await f.Sessions.ListAsync("user-1", Ct)).Select(s => s.Id));
        Assert.Contains(f.Logs.GetSnapshot(), r => r.Id.Id == 1110);
        Assert.Contains(ended.GetMeasurementSnapshot(), m => (string)m.Tags["reason"]! == "cap");
    }

    [Fact]
    public async Task RevokeToken_RevokesThatTokenOnly_OnEveryPath()
    {
        using var f = new SessionFixture();
        var user = f.AddUser();
        var session = await f.StartAsync(user);
        var a = f.Issuer.Issue(user);
        var b = f.Issuer.Issue(user);
        Assert.Null(await f.AccessAsync(a.Token));

        Assert.True(await f.Sessions.RevokeTokenAsync("user-1", a.TokenId, a.ExpiresAt, Ct));
        Assert.True(await f.Sessions.RevokeTokenAsync("user-1", session.AccessToken.TokenId, session.AccessToken.ExpiresAt, Ct));

        Assert.Equal(TokenFailureReason.TokenRevoked, await f.AccessAsync(a.Token));
        Assert.Equal(TokenFailureReason.TokenRevoked, await f.AccessAsync(session.AccessToken.Token));
        Assert.Null(await f.AccessAsync(b.Token));
        Assert.True((await f.RefreshAsync(session.RefreshToken.Token)).Succeeded);
        Assert.Contains(f.Logs.GetSnapshot(), r => r.Id.Id == 1106);
    }

    [Fact]
    public async Task RevokeToken_BeyondThePerUserBound_IsRefused_AndOtherUsersAreUnaffected()
    {
        using var f = new SessionFixture(o => o.MaxRevokedTokensPerUser = 2);
        var greedy = f.AddUser();
        var tokens = Enumerable.Range(0, 3).Select(_ => f.Issuer.Issue(greedy)).ToList();
        Assert.True(await f.Sessions.RevokeTokenAsync("user-1", tokens[0].TokenId, tokens[0].ExpiresAt, Ct));
        Assert.True(await f.Sessions.RevokeTokenAsync("user-1", tokens[1].TokenId, tokens[1].ExpiresAt, Ct));

        Assert.False(await f.Sessions.RevokeTokenAsync("user-1", tokens[2].TokenId, tokens[2].ExpiresAt, Ct));
        Assert.Null(await f.AccessAsync(tokens[2].Token));
        Assert.Contains(f.Logs.GetSnapshot(), r => r.Id.Id == 1108);

        var other = f.Issuer.Issue(f.AddUser("user-2"));
        Assert.True(await f.Sessions.RevokeTokenAsync("user-2", other.TokenId, other.ExpiresAt, Ct));

        // Entries end with their tokens (plus the clock skew), and free the user's room.
        f.Time.Advance(TimeSpan.FromMinutes(11));
        var later = f.Issuer.Issue(greedy);
        Assert.True(await f.Sessions.RevokeTokenAsync("user-1", later.TokenId, later.ExpiresAt, Ct));
    }

    [Fact]
    public async Task Validate_ForgedOrTamperedToken_ReadsNoStore()
    {
        using var f = new SessionFixture();
        var tokens = await f.StartAsync(f.AddUser());
        var parts = tokens.AccessToken.Token.Split('.');
        var tampered = parts[0] + "." + parts[1] + "." + (parts[2][0] == 'A' ? 'B' : 'A') + parts[2][1..];
        f.Cache.Invalidate("user-1");

        Assert.Equal(TokenFailureReason.InvalidKidTag, await f.AccessAsync(Tokens.WithForgedTag(tokens.AccessToken.Token)));
        Assert.Equal((0, 0), (f.Store.Reads, f.RevokedTokens.Reads));
        Assert.Equal(TokenFailureReason.InvalidSignature, await f.AccessAsync(tampered));
        Assert.Null(await f.AccessAsync(tokens.AccessToken.Token));
    }

    [Fact]
    public async Task Validate_WarmKey_ReadsNothing_SoAStoreOutageCostsOnlyColdKeys()
    {
        using var f = new SessionFixture();
        var user = f.AddUser();
        var warm = await f.StartAsync(user);
        var cold = await f.StartAsync(user);
        Assert.Null(await f.AccessAsync(warm.AccessToken.Token));
        var reads = f.Store.Reads;

        f.Store.Down = true;

        Assert.Null(await f.AccessAsync(warm.AccessToken.Token));
        Assert.Equal(reads, f.Store.Reads);
        Assert.Equal(TokenFailureReason.StoreUnavailable, await f.AccessAsync(cold.AccessToken.Token));
        // A refresh always reads the stores: it fails closed.
        Assert.Equal(TokenFailureReason.StoreUnavailable, (await f.RefreshAsync(warm.RefreshToken.Token)).FailureReason);
        f.Store.Down = false;
        Assert.Null(await f.AccessAsync(cold.AccessToken.Token));
        Assert.True((await f.RefreshAsync(warm.RefreshToken.Token)).Succeeded);
    }

    [Fact]
    public async Task Validate_DenylistDown_FailsClosedOnAColdKey()
    {
        using var f = new SessionFixture();
        var tokens = await f.StartAsync(f.AddUser());
        f.RevokedTokens.Down = true;
        Assert.Equal(TokenFailureReason.StoreUnavailable, await f.AccessAsync(tokens.AccessToken.Token));
        f.RevokedTokens.Down = false;
        Assert.Null(await f.AccessAsync(tokens.AccessToken.Token));
    }

    [Fact]
    public async Task List_ReturnsLiveSessionsMostRecentlyRefreshedFirst()
    {
        using var f = new SessionFixture(o => o.InactivityTimeout = TimeSpan.FromDays(2));
        var user = f.AddUser();
        var idle = await f.StartAsync(user, "idle");
        f.Time.Advance(TimeSpan.FromDays(1));
        var a = await f.StartAsync(user, "a");
        f.Time.Advance(TimeSpan.FromHours(1));
        var b = await f.StartAsync(user, "b");
        f.Time.Advance(TimeSpan.FromDays(1));

        var listed = await f.Sessions.ListAsync("user-1", Ct);

        Assert.Equal([b.Session.Id, a.Session.Id], listed.Select(s => s.Id));
        Assert.DoesNotContain(listed, s => s.Id == idle.Session.Id);
        Assert.Empty(await f.Sessions.ListAsync("user-2", Ct));
    }

    [Theory]
    [InlineData("sid")]
    [InlineData("auth_time")]
    [InlineData("gen")]
    public void Issue_SessionClaimsFromTheCaller_AreRefused(string claimType)
    {
        using var f = new SessionFixture();
        var user = f.AddUser();
        Assert.Throws<ArgumentException>(() => f.Issuer.Issue(user, [new Claim(claimType, "1")]));
    }

    [Theory]
    [InlineData("AbsoluteLifetime", 0)]
    [InlineData("InactivityTimeout", 31)]
    [InlineData("RefreshReuseGraceWindow", 2)]
    [InlineData("MaxSessionsPerUser", 0)]
    [InlineData("MaxRevokedTokensPerUser", 0)]
    public void Startup_InvalidSessionSetting_FailsNamingIt(string setting, int value)
    {
        var ex = Assert.Throws<OptionsValidationException>(() => ValidateSessionOptions(o =>
        {
            switch (setting)
            {
                case "AbsoluteLifetime": o.AbsoluteLifetime = TimeSpan.FromDays(value); break;
                case "InactivityTimeout": o.InactivityTimeout = TimeSpan.FromDays(value); break;
                case "MaxSessionsPerUser": o.MaxSessionsPerUser = value; break;
                case "MaxRevokedTokensPerUser": o.MaxRevokedTokensPerUser = value; break;
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
}
