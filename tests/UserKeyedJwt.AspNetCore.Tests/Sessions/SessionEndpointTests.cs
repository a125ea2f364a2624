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
    public async Task Refresh_ReusedToken_Returns401AndRevokesEveryTokenOfTheUser()
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
        Assert.Equal(HttpStatusCode.Unauthorized, await api.MeStatusAsync(laptop.Access));
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.RefreshAsync(laptop.Refresh)).Status);
        Assert.Contains(app.Logs.Entries, e => e.EventId.Id == 2007);
        Assert.Equal(HttpStatusCode.OK, await api.MeStatusAsync((await api.LoginPairAsync(user)).Access));
    }

    [Fact]
    public async Task Refresh_WrongPurposeGarbageOrMissing_Returns401Or400()
    {
        using var api = app.Api();
        var pair = await api.LoginPairAsync(await api.NewUserAsync());

        Assert.Equal(HttpStatusCode.Unauthorized, (await api.RefreshAsync(pair.Access)).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.RefreshAsync("not-a-token")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, await api.StatusAsync(HttpMethod.Post, "/auth/refresh", body: new { }));
        // The refresh token was not consumed by the failed attempts.
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
        Assert.Equal(HttpStatusCode.Unauthorized, await api.StatusAsync(HttpMethod.Post, "/auth/logout"));
        Assert.Equal(HttpStatusCode.Unauthorized, await api.StatusAsync(HttpMethod.Post, "/auth/logout-all"));
        Assert.Equal(HttpStatusCode.Unauthorized, await api.StatusAsync(HttpMethod.Post, "/auth/logout-others"));
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
    public async Task LogoutOthers_Returns200WithFreshPair_AndRevokesEveryOtherSession()
    {
        using var api = app.Api();
        var user = await api.NewUserAsync();
        var phone = await api.LoginPairAsync(user);
        var laptop = await api.LoginPairAsync(user);

        var (status, fresh) = await api.LogoutOthersAsync(phone.Access);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(HttpStatusCode.OK, await api.MeStatusAsync(fresh!.Access));
        Assert.Equal(Sid(phone.Access), Sid(fresh.Access));
        Assert.Equal(HttpStatusCode.Unauthorized, await api.MeStatusAsync(laptop.Access));
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.RefreshAsync(laptop.Refresh)).Status);
        // The caller's earlier tokens die too; the fresh pair replaces them.
        Assert.Equal(HttpStatusCode.Unauthorized, await api.MeStatusAsync(phone.Access));
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.RefreshAsync(phone.Refresh)).Status);
        Assert.Equal(HttpStatusCode.OK, (await api.RefreshAsync(fresh.Refresh)).Status);
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
