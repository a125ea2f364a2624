using System.Net;
using UserKeyedJwt.AspNetCore.Tests.Support;

namespace UserKeyedJwt.AspNetCore.Tests.Sample;

/// <summary>Every row of the sample's HTTP contract, through the real middleware on a real SQLite file.</summary>
public sealed class ContractTests(SampleApp app) : IClassFixture<SampleApp>
{
    [Fact]
    public async Task Register_NewEmail_Returns200WithEmptyBody_AndMailsAConfirmationLink()
    {
        using var api = app.Api();
        var email = Api.NewEmail();
        using var response = await api.PostAsync($"{Api.Identity}/register", new { email, password = Api.NewPassword() });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(0, response.Content.Headers.ContentLength);
        Assert.True(Guid.TryParse(await app.FindUserIdAsync(email), out _));
        var link = await app.ReadMailAsync(email, "ConfirmationLink");
        Assert.StartsWith("http://localhost/identity/confirmEmail?", link, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, await api.FollowAsync(link));
    }

    [Theory]
    [InlineData("short1!A")]
    [InlineData("alllowercase-only")]
    [InlineData("NoDigitsHere-Either")]
    public async Task Register_WeakPassword_Returns400WithIdentityErrors(string password)
    {
        using var api = app.Api();
        using var response = await api.PostAsync($"{Api.Identity}/register", new { email = Api.NewEmail(), password });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await Api.JsonAsync(response)).GetProperty("errors");
        Assert.Contains(errors.EnumerateObject(), e => e.Name.StartsWith("Password", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Register_DuplicateEmail_Returns400WithIdentityErrors()
    {
        using var api = app.Api();
        var user = await api.NewUserAsync();

        using var response = await api.PostAsync($"{Api.Identity}/register", new { email = user.Email, password = Api.NewPassword() });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await Api.JsonAsync(response)).GetProperty("errors");
        Assert.Contains(errors.EnumerateObject(), e => e.Name is "DuplicateUserName" or "DuplicateEmail");
    }

    [Fact]
    public async Task Login_ValidCredentials_Returns200WithBearerTokenAndLifetime()
    {
        using var api = app.Api();
        var user = await api.NewUserAsync();

        using var response = await api.PostAsync($"{Api.Identity}/login", new { email = user.Email, password = user.Password });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await Api.JsonAsync(response);
        Assert.Equal("Bearer", body.GetProperty("tokenType").GetString());
        Assert.Equal(600, body.GetProperty("expiresIn").GetInt64());
        Assert.Equal(3, body.GetProperty("accessToken").GetString()!.Split('.').Length);
        Assert.Equal(HttpStatusCode.OK, await api.MeStatusAsync(body.GetProperty("accessToken").GetString()!));
    }

    [Fact]
    public async Task Login_WrongPassword_Returns401()
    {
        using var api = app.Api();
        var user = await api.NewUserAsync();

        using var response = await api.PostAsync($"{Api.Identity}/login", new { email = user.Email, password = user.Password + "x" });

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.DoesNotContain("accessToken", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Login_UnknownEmail_Returns401()
    {
        using var api = app.Api();

        using var response = await api.PostAsync($"{Api.Identity}/login", new { email = Api.NewEmail(), password = Api.NewPassword() });

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task GetMe_ValidToken_Returns200WithIdEmailDisplayNameAndRoles()
    {
        using var api = app.Api();
        var user = await api.NewUserAsync();

        var me = await api.MeAsync(await api.LoginAsync(user));

        Assert.Equal(user.Id, me.GetProperty("id").GetString());
        Assert.Equal(user.Email, me.GetProperty("email").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, me.GetProperty("displayName").ValueKind);
        Assert.Empty(me.GetProperty("roles").EnumerateArray());
    }

    [Fact]
    public async Task GetMe_NoToken_Returns401WithPlainBearerChallenge()
    {
        using var api = app.Api();

        using var response = await api.SendAsync(HttpMethod.Get, "/me");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", Assert.Single(response.Headers.WwwAuthenticate).ToString());
    }

    [Fact]
    public async Task PutProfile_DisplayName_Returns204AndKeepsEarlierTokens()
    {
        using var api = app.Api();
        var user = await api.NewUserAsync();
        var token = await api.LoginAsync(user);
        Assert.Equal(HttpStatusCode.OK, await api.MeStatusAsync(token));

        Assert.Equal(HttpStatusCode.NoContent, await api.StatusAsync(HttpMethod.Put, "/me/profile", token, new { displayName = "Ada Lovelace" }));

        var me = await api.MeAsync(token);
        Assert.Equal("Ada Lovelace", me.GetProperty("displayName").GetString());
    }

    [Fact]
    public async Task PutProfile_DisplayNameTooLong_Returns400()
    {
        using var api = app.Api();
        var token = await api.LoginAsync(await api.NewUserAsync());

        Assert.Equal(HttpStatusCode.BadRequest, await api.StatusAsync(HttpMethod.Put, "/me/profile", token, new { displayName = new string('x', 101) }));
    }

    [Fact]
    public async Task ManageInfo_NewPasswordWithTheCurrentOne_Returns200AndRevokesEarlierTokens()
    {
        using var api = app.Api();
        var user = await api.NewUserAsync();
        var token = await api.LoginAsync(user);
        Assert.Equal(HttpStatusCode.OK, await api.MeStatusAsync(token));
        var newPassword = Api.NewPassword();

        Assert.Equal(HttpStatusCode.OK, await api.StatusAsync(HttpMethod.Post, $"{Api.Identity}/manage/info", token, new { oldPassword = user.Password, newPassword }));

        Assert.Equal(HttpStatusCode.Unauthorized, await api.MeStatusAsync(token));
        Assert.Equal(HttpStatusCode.OK, await api.MeStatusAsync(await api.LoginAsync(user.Email, newPassword)));
        Assert.Equal(HttpStatusCode.Unauthorized, await api.StatusAsync(HttpMethod.Post, $"{Api.Identity}/login", body: new { email = user.Email, password = user.Password }));
    }

    [Fact]
    public async Task ManageInfo_NewPasswordWithAWrongCurrentOne_Returns400AndKeepsTokens()
    {
        using var api = app.Api();
        var user = await api.NewUserAsync();
        var token = await api.LoginAsync(user);

        using var response = await api.PostAsync($"{Api.Identity}/manage/info", new { oldPassword = user.Password + "x", newPassword = Api.NewPassword() }, token);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await Api.JsonAsync(response)).GetProperty("errors").TryGetProperty("PasswordMismatch", out _));
        Assert.Equal(HttpStatusCode.OK, await api.MeStatusAsync(token));
    }

    [Fact]
    public async Task ManageInfo_NewEmail_ChangesNothingUntilTheMailedLinkIsFollowed_ThenRevokesEarlierTokens()
    {
        using var api = app.Api();
        var user = await api.NewUserAsync();
        var token = await api.LoginAsync(user);
        var newEmail = Api.NewEmail("moved");

        Assert.Equal(HttpStatusCode.OK, await api.RequestEmailChangeAsync(token, newEmail));
        Assert.Equal(user.Email, (await api.MeAsync(token)).GetProperty("email").GetString());

        Assert.Equal(HttpStatusCode.OK, await api.FollowAsync(await app.ReadMailAsync(newEmail, "ConfirmationLink")));

        Assert.Equal(HttpStatusCode.Unauthorized, await api.MeStatusAsync(token));
        var me = await api.MeAsync(await api.LoginAsync(newEmail, user.Password));
        Assert.Equal(newEmail, me.GetProperty("email").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, await api.StatusAsync(HttpMethod.Post, $"{Api.Identity}/login", body: new { email = user.Email, password = user.Password }));
    }

    [Fact]
    public async Task ManageInfo_EmailOfAnotherUser_LinkIsRefusedAndTokensStay()
    {
        using var api = app.Api();
        var user = await api.NewUserAsync();
        var other = await api.NewUserAsync();
        var token = await api.LoginAsync(user);

        Assert.Equal(HttpStatusCode.OK, await api.RequestEmailChangeAsync(token, other.Email));

        Assert.Equal(HttpStatusCode.Unauthorized, await api.FollowAsync(await app.ReadMailAsync(other.Email, "ConfirmationLink")));
        Assert.Equal(HttpStatusCode.OK, await api.MeStatusAsync(token));
        Assert.Equal(user.Email, (await api.MeAsync(token)).GetProperty("email").GetString());
    }

    [Fact]
    public async Task AdminAddRole_AsAdmin_Returns204AndRevokesThatUsersTokens()
    {
        using var api = app.Api();
        var user = await api.NewUserAsync();
        var token = await api.LoginAsync(user);
        Assert.Equal(HttpStatusCode.OK, await api.MeStatusAsync(token));

        Assert.Equal(HttpStatusCode.NoContent, await api.StatusAsync(HttpMethod.Post, $"/admin/users/{user.Id}/roles/editor", await api.LoginAdminAsync()));

        Assert.Equal(HttpStatusCode.Unauthorized, await api.MeStatusAsync(token));
        var me = await api.MeAsync(await api.LoginAsync(user));
        Assert.Equal(["editor"], me.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
    }

    [Fact]
    public async Task AdminRemoveRole_AsAdmin_Returns204AndRevokesThatUsersTokens()
    {
        using var api = app.Api();
        var admin = await api.LoginAdminAsync();
        var user = await api.NewUserAsync();
        Assert.Equal(HttpStatusCode.NoContent, await api.StatusAsync(HttpMethod.Post, $"/admin/users/{user.Id}/roles/editor", admin));
        var token = await api.LoginAsync(user);
        Assert.Equal(HttpStatusCode.OK, await api.MeStatusAsync(token));

        Assert.Equal(HttpStatusCode.NoContent, await api.StatusAsync(HttpMethod.Delete, $"/admin/users/{user.Id}/roles/editor", admin));

        Assert.Equal(HttpStatusCode.Unauthorized, await api.MeStatusAsync(token));
        Assert.Empty((await api.MeAsync(await api.LoginAsync(user))).GetProperty("roles").EnumerateArray());
    }

    [Fact]
    public async Task AdminRevoke_AsAdmin_Returns204AndRevokesAllOfThatUsersTokens()
    {
        using var api = app.Api();
        var user = await api.NewUserAsync();
        var first = await api.LoginAsync(user);
        var second = await api.LoginAsync(user);
        Assert.Equal(HttpStatusCode.OK, await api.MeStatusAsync(first));
        Assert.Equal(HttpStatusCode.OK, await api.MeStatusAsync(second));

        Assert.Equal(HttpStatusCode.NoContent, await api.StatusAsync(HttpMethod.Post, $"/admin/users/{user.Id}/revoke", await api.LoginAdminAsync()));

        Assert.Equal(HttpStatusCode.Unauthorized, await api.MeStatusAsync(first));
        Assert.Equal(HttpStatusCode.Unauthorized, await api.MeStatusAsync(second));
        Assert.Equal(HttpStatusCode.OK, await api.MeStatusAsync(await api.LoginAsync(user)));
    }

    [Theory]
    [InlineData("POST", "/roles/editor")]
    [InlineData("DELETE", "/roles/editor")]
    [InlineData("POST", "/revoke")]
    public async Task AdminRoutes_AsNonAdmin_Return403AndChangeNothing(string method, string suffix)
    {
        using var api = app.Api();
        var victim = await api.NewUserAsync("victim");
        var victimToken = await api.LoginAsync(victim);
        var caller = await api.LoginAsync(await api.NewUserAsync("caller"));

        Assert.Equal(HttpStatusCode.Forbidden, await api.StatusAsync(new HttpMethod(method), $"/admin/users/{victim.Id}{suffix}", caller));

        Assert.Equal(HttpStatusCode.OK, await api.MeStatusAsync(victimToken));
    }

    [Theory]
    [InlineData("POST", "/roles/editor")]
    [InlineData("DELETE", "/roles/editor")]
    [InlineData("POST", "/revoke")]
    public async Task AdminRoutes_WithoutToken_Return401(string method, string suffix)
    {
        using var api = app.Api();
        var victim = await api.NewUserAsync("victim");

        Assert.Equal(HttpStatusCode.Unauthorized, await api.StatusAsync(new HttpMethod(method), $"/admin/users/{victim.Id}{suffix}"));
    }

    [Theory]
    [InlineData("POST", "/roles/editor")]
    [InlineData("DELETE", "/roles/editor")]
    [InlineData("POST", "/revoke")]
    public async Task AdminRoutes_UnknownUser_Return404(string method, string suffix)
    {
        using var api = app.Api();

        Assert.Equal(HttpStatusCode.NotFound, await api.StatusAsync(new HttpMethod(method), $"/admin/users/{Guid.NewGuid()}{suffix}", await api.LoginAdminAsync()));
    }

    [Fact]
    public async Task AdminAddRole_RoleAlreadyHeld_Returns204AndKeepsTokens()
    {
        using var api = app.Api();
        var admin = await api.LoginAdminAsync();
        var user = await api.NewUserAsync();
        Assert.Equal(HttpStatusCode.NoContent, await api.StatusAsync(HttpMethod.Post, $"/admin/users/{user.Id}/roles/editor", admin));
        var token = await api.LoginAsync(user);

        Assert.Equal(HttpStatusCode.NoContent, await api.StatusAsync(HttpMethod.Post, $"/admin/users/{user.Id}/roles/editor", admin));

        Assert.Equal(HttpStatusCode.OK, await api.MeStatusAsync(token));
    }

    [Fact]
    public async Task AdminAddRole_InvalidRoleName_Returns400()
    {
        using var api = app.Api();
        var user = await api.NewUserAsync();

        Assert.Equal(HttpStatusCode.BadRequest, await api.StatusAsync(HttpMethod.Post, $"/admin/users/{user.Id}/roles/a%20b", await api.LoginAdminAsync()));
    }

    [Fact]
    public async Task AdminToken_SeededAdmin_HasAdminRole()
    {
        using var api = app.Api();

        var me = await api.MeAsync(await api.LoginAdminAsync());

        Assert.Equal(SampleApp.AdminEmail, me.GetProperty("email").GetString());
        Assert.Contains("admin", me.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
    }
}
