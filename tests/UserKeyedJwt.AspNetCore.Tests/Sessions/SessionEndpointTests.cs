using System.Net;
using Microsoft.Extensions.DependencyInjection;
using UserKeyedJwt.AspNetCore.Tests.Support;

namespace UserKeyedJwt.AspNetCore.Tests.Sessions;

/// <summary>One example per session route of the sample's contract, through the real app.</summary>
public sealed class SessionEndpointTests(SampleApp app) : IClassFixture<SampleApp>
{
    private UserKeyedTokenHandler Handler => app.Services.GetRequiredService<UserKeyedTokenHandler>();

    [Fact]
    public async Task Login_ReturnsAccessAndRefreshTokenWithLifetimes()
    {
        using var api = app.Api();
        var pair = await api.LoginPairAsync(await api.NewUserAsync());

        Assert.Equal(600, pair.ExpiresIn);
        Assert.Equal(7 * 24 * 3600, pair.RefreshExpiresIn);
        Assert.Equal("Bearer", pair.TokenType);
        Assert.Equal(HttpStatusCode.OK, await api.MeStatusAsync(pair.Access));
        // A refresh token is never an access token.
        Assert.Equal(HttpStatusCode.Unauthorized, await api.MeStatusAsync(pair.Refresh));
    }

    [Fact]
    public async Task Refresh_ReturnsNewPair_AndConsumesTheOldRefreshToken()
    {
        using var api = app.Api();
        var first = await api.LoginPairAsync(await api.NewUserAsync());

        var (status, second) = await api.RefreshAsync(first.Refresh);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.NotEqual(first.Refresh, second!.Refresh);
        Assert.Equal(HttpStatusCode.OK, await api.MeStatusAsync(second.Access));
        Assert.Equal(Sid(first.Access), Sid(second.Access));
        Assert.Equal(Sid(first.Access), Sid(second.Refresh));
        var (again, _) = await api.RefreshAsync(second.Refresh);
        Assert.Equal(HttpStatusCode.OK, again);
    }

    [Fact]
    public async Task Refresh_ReusedToken_Returns401AndEndsThatSessionOnly()
    {
        using var api = app.Api();
        var user = await api.NewUserAsync();
        var phone = await api.LoginPairAsync(user);
        var laptop = await api.LoginPairAsync(user);
        var (_, rotated) = await api.RefreshAsync(phone.Refresh);

        var (status, pair) = await api.RefreshAsync(phone.Refresh);

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Null(pair);
        Assert.Equal(HttpStatusCode.Unauthorized, await api.MeStatusAsync(rotated!.Access));
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.RefreshAsync(rotated.Refresh)).Status);
        Assert.Equal(HttpStatusCode.OK, await api.MeStatusAsync(laptop.Access));
        Assert.Equal(HttpStatusCode.OK, (await api.RefreshAsync(laptop.Refresh)).Status);
        Assert.Contains(app.Logs.Entries, e => e.EventId.Id == 1101);
    }

    [Fact]
    public async Task Refresh_WrongPurposeGarbageOrMissing_Returns401Or400()
    {
        using var api = app.Api();
        var pair = await api.LoginPairAsync(await api.NewUserAsync());

        Assert.Equal(HttpStatusCode.Unauthorized, (await api.RefreshAsync(pair.Access)).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.RefreshAsync("not-a-token")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, await api.StatusAsync(HttpMethod.Post, $"{Api.Identity}/refresh", body: new { }));
        // The refresh token was not consumed by the failed attempts.
        Assert.Equal(HttpStatusCode.OK, (await api.RefreshAsync(pair.Refresh)).Status);
    }

    [Fact]
    public async Task Refresh_StoreWriteFails_Returns503_AndTheRefreshTokenStillWorksAfterwards()
    {
        await using var own = SampleApp.Create();
        using var api = own.Api();
        var pair = await api.LoginPairAsync(await api.NewUserAsync());
        own.Sessions!.FailWrites = true;

        using (var response = await api.PostAsync($"{Api.Identity}/refresh", new { refreshToken = pair.Refresh }))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }

        own.Sessions.FailWrites = false;
        Assert.Equal(HttpStatusCode.OK, (await api.RefreshAsync(pair.Refresh)).Status);
    }

    [Fact]
    public async Task Logout_Returns204_RevokesThisSessionOnly()
    {
        using var api = app.Api();
        var user = await api.NewUserAsync();
        var phone = await api.LoginPairAsync(user);
        var laptop = await api.LoginPairAsync(user);

        Assert.Equal(HttpStatusCode.NoContent, await api.LogoutAsync(phone.Access));

        Assert.Equal(HttpStatusCode.Unauthorized, await api.MeStatusAsync(phone.Access));
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.RefreshAsync(phone.Refresh)).Status);
        Assert.Equal(HttpStatusCode.OK, await api.MeStatusAsync(laptop.Access));
        Assert.Equal(HttpStatusCode.OK, (await api.RefreshAsync(laptop.Refresh)).Status);
    }

    [Fact]
    public async Task Logout_WithoutToken_Returns401()
    {
        using var api = app.Api();
        Assert.Equal(HttpStatusCode.Unauthorized, await api.StatusAsync(HttpMethod.Post, $"{Api.Identity}/logout"));
        Assert.Equal(HttpStatusCode.Unauthorized, await api.StatusAsync(HttpMethod.Post, $"{Api.Identity}/logoutAll"));
        Assert.Equal(HttpStatusCode.Unauthorized, await api.StatusAsync(HttpMethod.Post, $"{Api.Identity}/logoutOthers"));
    }

    [Fact]
    public async Task LogoutAll_Returns204_RevokesEverySession()
    {
        using var api = app.Api();
        var user = await api.NewUserAsync();
        var phone = await api.LoginPairAsync(user);
        var laptop = await api.LoginPairAsync(user);

        Assert.Equal(HttpStatusCode.NoContent, await api.LogoutAllAsync(phone.Access));

        foreach (var pair in new[] { phone, laptop })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await api.MeStatusAsync(pair.Access));
            Assert.Equal(HttpStatusCode.Unauthorized, (await api.RefreshAsync(pair.Refresh)).Status);
        }
    }

    [Fact]
    public async Task LogoutOthers_Returns204WithoutATokenInTheBody_EndsEveryOtherSession_AndKeepsTheCallersAsItIs()
    {
        using var api = app.Api();
        var user = await api.NewUserAsync();
        var phone = await api.LoginPairAsync(user);
        var laptop = await api.LoginPairAsync(user);
        var tablet = await api.LoginPairAsync(user);

        var (status, body) = await api.LogoutOthersAsync(phone.Access);

        Assert.Equal(HttpStatusCode.NoContent, status);
        Assert.Empty(body);
        foreach (var other in new[] { laptop, tablet })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await api.MeStatusAsync(other.Access));
            Assert.Equal(HttpStatusCode.Unauthorized, (await api.RefreshAsync(other.Refresh)).Status);
        }

        Assert.Equal(HttpStatusCode.OK, await api.MeStatusAsync(phone.Access));
        Assert.Equal(HttpStatusCode.OK, (await api.RefreshAsync(phone.Refresh)).Status);
    }

    [Fact]
    public async Task EveryEndpoint_CalledWithAnAccessTokenAlone_NeverAnswersWithARefreshToken()
    {
        using var api = app.Api();
        var pair = await api.LoginPairAsync(await api.NewUserAsync());
        var session = Sid(pair.Access);
        var calls = new (HttpMethod Method, string Path, object? Body)[]
        {
            (HttpMethod.Post, $"{Api.Identity}/refresh", new { refreshToken = pair.Access }),
            (HttpMethod.Get, $"{Api.Identity}/manage/sessions", null),
            (HttpMethod.Post, $"{Api.Identity}/logoutOthers", null),
            (HttpMethod.Get, "/me", null),
            (HttpMethod.Delete, $"{Api.Identity}/manage/sessions/" + session, null),
            (HttpMethod.Post, $"{Api.Identity}/logoutAll", null),
            (HttpMethod.Post, $"{Api.Identity}/logout", null),
        };

        foreach (var (method, path, body) in calls)
        {
            using var response = await api.SendAsync(method, path, pair.Access, body);
            var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            Assert.DoesNotContain("refreshToken", text, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotMatch(@"eyJ[A-Za-z0-9_-]+\.eyJ", text);
        }
    }

    [Fact]
    public async Task Sessions_ListsTheCallersSessions_WithDeviceAndCurrent_NeverASecret()
    {
        using var api = app.Api();
        var user = await api.NewUserAsync();
        var phone = await api.LoginPairAsync(user, "Phone/1.0");
        var laptop = await api.LoginPairAsync(user, "Laptop/2.0");
        var stranger = await api.LoginPairAsync(await api.NewUserAsync());

        var sessions = await api.SessionsAsync(laptop.Access);

        Assert.Equal(new[] { Sid(laptop.Access), Sid(phone.Access) }.Order(), sessions.Select(s => s.Id).Order());
        Assert.Equal("Laptop/2.0", Assert.Single(sessions, s => s.Current).Device);
        Assert.Equal("Phone/1.0", Assert.Single(sessions, s => !s.Current).Device);
        Assert.DoesNotContain(sessions, s => s.Id == Sid(stranger.Access));
        Assert.All(sessions, s => Assert.True(s.LastUsedAt >= s.CreatedAt));
    }

    [Fact]
    public async Task DeleteSession_EndsTheCallersSessionById_AndIs404ForAnotherUsersOrAnUnknownOne()
    {
        using var api = app.Api();
        var user = await api.NewUserAsync();
        var phone = await api.LoginPairAsync(user);
        var laptop = await api.LoginPairAsync(user);
        var stranger = await api.LoginPairAsync(await api.NewUserAsync());

        Assert.Equal(HttpStatusCode.NotFound, await api.StatusAsync(HttpMethod.Delete, $"{Api.Identity}/manage/sessions/" + Sid(stranger.Access), laptop.Access));
        Assert.Equal(HttpStatusCode.NotFound, await api.StatusAsync(HttpMethod.Delete, $"{Api.Identity}/manage/sessions/no-such-session", laptop.Access));
        Assert.Equal(HttpStatusCode.NoContent, await api.StatusAsync(HttpMethod.Delete, $"{Api.Identity}/manage/sessions/" + Sid(phone.Access), laptop.Access));

        Assert.Equal(HttpStatusCode.Unauthorized, await api.MeStatusAsync(phone.Access));
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.RefreshAsync(phone.Refresh)).Status);
        Assert.Equal(HttpStatusCode.OK, await api.MeStatusAsync(laptop.Access));
        Assert.Equal(HttpStatusCode.OK, await api.MeStatusAsync(stranger.Access));
    }

    [Fact]
    public async Task AdminSessions_ListAndEndAnyUsersSessions_AndAreForbiddenToOthers()
    {
        using var api = app.Api();
        var user = await api.NewUserAsync();
        var phone = await api.LoginPairAsync(user);
        var laptop = await api.LoginPairAsync(user);
        var admin = await api.LoginAdminAsync();

        Assert.Equal(HttpStatusCode.Forbidden, await api.StatusAsync(HttpMethod.Get, $"/admin/users/{user.Id}/sessions", laptop.Access));
        Assert.Equal(HttpStatusCode.Forbidden, await api.StatusAsync(HttpMethod.Delete, $"/admin/users/{user.Id}/sessions", laptop.Access));
        Assert.Equal(2, (await api.SessionsAsync(admin, $"/admin/users/{user.Id}/sessions")).Count);

        Assert.Equal(HttpStatusCode.NoContent, await api.StatusAsync(HttpMethod.Delete, $"/admin/users/{user.Id}/sessions/{Sid(phone.Access)}", admin));
        Assert.Equal(HttpStatusCode.NotFound, await api.StatusAsync(HttpMethod.Delete, $"/admin/users/{user.Id}/sessions/{Sid(phone.Access)}", admin));
        Assert.Equal(HttpStatusCode.Unauthorized, await api.MeStatusAsync(phone.Access));
        Assert.Equal(HttpStatusCode.OK, await api.MeStatusAsync(laptop.Access));

        Assert.Equal(HttpStatusCode.NoContent, await api.StatusAsync(HttpMethod.Delete, $"/admin/users/{user.Id}/sessions", admin));
        Assert.Equal(HttpStatusCode.Unauthorized, await api.MeStatusAsync(laptop.Access));
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.RefreshAsync(laptop.Refresh)).Status);
        Assert.Equal(HttpStatusCode.OK, await api.MeStatusAsync(admin));
        Assert.Contains(app.Logs.Entries, e => e.EventId.Id == 1104);
    }

    [Fact]
    public async Task PasswordChange_RevokesRefreshTokensToo()
    {
        using var api = app.Api();
        var user = await api.NewUserAsync();
        var pair = await api.LoginPairAsync(user);
        var result = await app.ChangeUserAsync(user.Id, (users, u) => users.ChangePasswordAsync(u, user.Password, Api.NewPassword()));
        Assert.True(result.Succeeded);
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.RefreshAsync(pair.Refresh)).Status);
    }

    private string Sid(string token) => Handler.ReadJsonWebToken(token).GetPayloadValue<string>("sid");
}
