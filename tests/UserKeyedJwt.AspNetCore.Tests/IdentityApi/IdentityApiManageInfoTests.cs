using System.Net;
using UserKeyedJwt.AspNetCore.Tests.IdentityApi.Support;

namespace UserKeyedJwt.AspNetCore.Tests.IdentityApi;

/// <summary>/manage/info and /manage's authorization, ported from aspnetcore's MapIdentityApiTests, with the password-change hardening.</summary>
public sealed class IdentityApiManageInfoTests
{
    public static TheoryData<string, string> ManageRoutes => new()
    {
        { "GET", "/identity/manage/info" },
        { "POST", "/identity/manage/info" },
        { "POST", "/identity/manage/2fa" },
        { "GET", "/identity/manage/sessions" },
        { "DELETE", "/identity/manage/sessions/some-id" },
        { "POST", "/identity/logout" },
        { "POST", "/identity/logoutOthers" },
        { "POST", "/identity/logoutAll" },
    };

    [Theory]
    [MemberData(nameof(ManageRoutes))]
    public async Task Manage_WithoutAnAccessToken_Returns401WithEmptyBody(string method, string path)
    {
        await using var host = await IdentityApiHost.StartAsync();
        using var client = host.Client();
        var (email, password) = await client.RegisterAsync();
        var pair = await client.LoginPairAsync(email, password);
        var verb = new HttpMethod(method);
        var body = method == "POST" ? new { } : null;

        Asserts.UnauthorizedAndEmpty(await client.SendAsync(verb, path, token: null, body));
        Asserts.UnauthorizedAndEmpty(await client.SendAsync(verb, path, "not.a.token", body));

        // The refresh token is for /refresh alone.
        Asserts.UnauthorizedAndEmpty(await client.SendAsync(verb, path, pair.Refresh, body));
        Assert.Equal(HttpStatusCode.OK, await client.HelloStatusAsync(pair.Access));
    }

    [Fact]
    public async Task Info_Get_ReturnsTheCallersEmailAndWhetherItIsConfirmed()
    {
        await using var host = await IdentityApiHost.StartAsync();
        using var client = host.Client();
        var (email, password) = await client.RegisterAsync();
        var pair = await client.LoginPairAsync(email, password);

        var info = await client.JsonAsync(HttpMethod.Get, "/identity/manage/info", pair.Access);
        Assert.Equal(email, info.GetProperty("email").GetString());
        Assert.False(info.GetProperty("isEmailConfirmed").GetBoolean());

        await Asserts.OkAsync(client.GetAsync(RecordingEmailSender.Link(host.Emails.Sent[0])));
        Assert.True((await client.JsonAsync(HttpMethod.Get, "/identity/manage/info", pair.Access)).GetProperty("isEmailConfirmed").GetBoolean());
    }

    [Fact]
    public async Task Info_NewEmail_ChangesNothingUntilTheLinkIsFollowed_ThenEndsEveryEarlierToken_UnlikeMapIdentityApi()
    {
        await using var host = await IdentityApiHost.StartAsync(identity: static o => o.SignIn.RequireConfirmedAccount = true);
        using var client = host.Client();
        var account = await Account.RegisterConfirmedAsync(host, client);
        var original = await account.LoginAsync();
        var info = await client.JsonAsync(HttpMethod.Get, "/identity/manage/info", original.Access);
        Assert.Equal(account.Email, info.GetProperty("email").GetString());
        Assert.True(info.GetProperty("isEmailConfirmed").GetBoolean());
        var newEmail = $"new-{account.Email}";

        await Asserts.ValidationProblemAsync(client.PostAsync("/identity/manage/info", new { newEmail = "invalid" }, original.Access), "InvalidEmail");

        var posted = await client.JsonAsync(HttpMethod.Post, "/identity/manage/info", original.Access, new { newEmail });
        Assert.Equal(account.Email, posted.GetProperty("email").GetString());
        Assert.True(posted.GetProperty("isEmailConfirmed").GetBoolean());
        await Asserts.ProblemAsync(client.LoginAsync(newEmail, account.Password), "Failed");

        // Until the link is followed the session lives on: its refresh token still redeems.
        using var refreshed = await client.RefreshAsync(original.Refresh);
        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
        var current = await TokenPair.ReadAsync(refreshed);

        Assert.Equal(2, host.Emails.Sent.Count);
        var change = host.Emails.Sent[1];
        Assert.Equal(EmailKind.ConfirmationLink, change.Kind);
        Assert.Equal(newEmail, change.Address);
        await Asserts.OkAsync(client.GetAsync(RecordingEmailSender.Link(change)));

        // MapIdentityApi's access token keeps working with the old email in its claims; here every earlier token ends.
        Assert.Equal(HttpStatusCode.Unauthorized, await client.HelloStatusAsync(original.Access));
        Assert.Equal(HttpStatusCode.Unauthorized, await client.HelloStatusAsync(current.Access));
        await Asserts.UnauthorizedAndEmptyAsync(client.RefreshAsync(current.Refresh));

        await Asserts.ProblemAsync(client.LoginAsync(account.Email, account.Password), "Failed");
        var pair = await client.LoginPairAsync(newEmail, account.Password);
        var after = await client.JsonAsync(HttpMethod.Get, "/identity/manage/info", pair.Access);
        Assert.Equal(newEmail, after.GetProperty("email").GetString());
        Assert.True(after.GetProperty("isEmailConfirmed").GetBoolean());
        using var hello = await client.GetAsync("/auth/hello", pair.Access);
        Assert.Equal($"Hello, {newEmail}!", await hello.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Info_NewEmailThatIsAnotherAccountsUserName_IsNotChangedByItsLink_UnlikeMapIdentityApi()
    {
        await using var host = await IdentityApiHost.StartAsync();
        using var client = host.Client();
        var account = await Account.RegisterConfirmedAsync(host, client);
        var other = await Account.RegisterConfirmedAsync(host, client);
        var pair = await account.LoginAsync();
        await client.JsonAsync(HttpMethod.Post, "/identity/manage/info", pair.Access, new { newEmail = other.Email });
        var link = RecordingEmailSender.Link(host.Emails.Sent[^1]);
        Assert.Equal(other.Email, host.Emails.Sent[^1].Address);
        host.Secrets.Enqueue(RecordingEmailSender.CodeOf(link));

        // MapIdentityApi changes the email, then fails to change the user name, and answers 401 with the email changed.
        Asserts.UnauthorizedAndEmpty(await client.GetAsync(link));

        Assert.Equal(account.Email, (await client.JsonAsync(HttpMethod.Get, "/identity/manage/info", pair.Access)).GetProperty("email").GetString());
        await account.AssertWorksAsync(await account.LoginAsync());
        await other.AssertWorksAsync(await other.LoginAsync());
    }

    [Fact]
    public async Task Info_NewPassword_NeedsTheOldOne_ThenOnlyTheNewOneLogsIn_AndTheCallersTokensEnd_UnlikeMapIdentityApi()
    {
        await using var host = await IdentityApiHost.StartAsync();
        using var client = host.Client();
        var (email, password) = await client.RegisterAsync();
        var pair = await client.LoginPairAsync(email, password);
        var newPassword = client.NewCredentials().Password;

        await Asserts.ValidationProblemAsync(client.PostAsync("/identity/manage/info", new { newPassword }, pair.Access), "OldPasswordRequired");
        var info = await client.JsonAsync(HttpMethod.Post, "/identity/manage/info", pair.Access, new { oldPassword = password, newPassword });
        Assert.Equal(email, info.GetProperty("email").GetString());

        Assert.Equal(HttpStatusCode.Unauthorized, await client.HelloStatusAsync(pair.Access));
        await Asserts.UnauthorizedAndEmptyAsync(client.RefreshAsync(pair.Refresh));
        await Asserts.ProblemAsync(client.LoginAsync(email, password), "Failed");
        await Asserts.OkAsync(client.LoginAsync(email, newPassword));
    }

    [Fact]
    public async Task Info_InvalidRequest_SendsNoEmail_AndAValidOneChangesThePasswordAtOnceButTheEmailOnlyAfterTheLink()
    {
        await using var host = await IdentityApiHost.StartAsync();
        using var client = host.Client();
        var (email, password) = await client.RegisterAsync();
        Assert.Single(host.Emails.Sent);
        var pair = await client.LoginPairAsync(email, password);
        var newEmail = $"new-{email}";
        var newPassword = client.NewCredentials().Password;

        await Asserts.ValidationProblemAsync(client.PostAsync("/identity/manage/info", new { newPassword, newEmail }, pair.Access), "OldPasswordRequired");
        Assert.Single(host.Emails.Sent);

        var posted = await client.JsonAsync(HttpMethod.Post, "/identity/manage/info", pair.Access, new { oldPassword = password, newPassword, newEmail });
        Assert.Equal(email, posted.GetProperty("email").GetString());
        Assert.False(posted.GetProperty("isEmailConfirmed").GetBoolean());

        await Asserts.ProblemAsync(client.LoginAsync(newEmail, newPassword), "Failed");
        await Asserts.ProblemAsync(client.LoginAsync(email, password), "Failed");
        await Asserts.OkAsync(client.LoginAsync(email, newPassword));

        var change = host.Emails.Sent[^1];
        Assert.Equal(2, host.Emails.Sent.Count);
        Assert.Equal(newEmail, change.Address);
        await Asserts.OkAsync(client.GetAsync(RecordingEmailSender.Link(change)));

        var after = await client.LoginPairAsync(newEmail, newPassword);
        var info = await client.JsonAsync(HttpMethod.Get, "/identity/manage/info", after.Access);
        Assert.Equal(newEmail, info.GetProperty("email").GetString());
        Assert.True(info.GetProperty("isEmailConfirmed").GetBoolean());
    }

    [Fact]
    public async Task Info_WrongOldPassword_CountsTowardLockout_AndWhileLockedOutEvenTheRightOneIsRefused()
    {
        await using var host = await IdentityApiHost.StartAsync(identity: static o => o.Lockout.MaxFailedAccessAttempts = 2);
        using var client = host.Client();
        var (email, password) = await client.RegisterAsync();
        var pair = await client.LoginPairAsync(email, password);
        var newPassword = client.NewCredentials().Password;

        await Asserts.ValidationProblemAsync(client.PostAsync("/identity/manage/info", new { oldPassword = "wrong", newPassword }, pair.Access), "PasswordMismatch");
        Assert.Equal(1, await host.WithUserAsync(email, (users, user) => users.GetAccessFailedCountAsync(user)));
        await Asserts.ValidationProblemAsync(client.PostAsync("/identity/manage/info", new { oldPassword = "wrong", newPassword }, pair.Access), UserKeyedIdentityApiDefaults.LockedOutErrorCode);
        Assert.Single(host.Logs.Entries, e => e.EventId.Id == 2103);

        host.Hashes.Reset();
        await Asserts.ValidationProblemAsync(client.PostAsync("/identity/manage/info", new { oldPassword = password, newPassword }, pair.Access), UserKeyedIdentityApiDefaults.LockedOutErrorCode);
        Assert.Equal(0, host.Hashes.Total);
        await Asserts.ProblemAsync(client.LoginAsync(email, password), "LockedOut");
    }

    [Fact]
    public async Task Info_RightOldPassword_ResetsTheFailedCount()
    {
        await using var host = await IdentityApiHost.StartAsync(identity: static o => o.Lockout.MaxFailedAccessAttempts = 2);
        using var client = host.Client();
        var (email, password) = await client.RegisterAsync();
        var pair = await client.LoginPairAsync(email, password);
        var newPassword = client.NewCredentials().Password;

        await Asserts.ValidationProblemAsync(client.PostAsync("/identity/manage/info", new { oldPassword = "wrong", newPassword }, pair.Access), "PasswordMismatch");
        await client.JsonAsync(HttpMethod.Post, "/identity/manage/info", pair.Access, new { oldPassword = password, newPassword });

        Assert.Equal(0, await host.WithUserAsync(email, (users, user) => users.GetAccessFailedCountAsync(user)));
    }

    [Fact]
    public async Task Info_PasswordsLongerThanTheMaximum_ArePasswordTooLong_WithoutHashing()
    {
        await using var host = await IdentityApiHost.StartAsync();
        using var client = host.Client();
        var (email, password) = await client.RegisterAsync();
        var pair = await client.LoginPairAsync(email, password);
        var tooLong = IdentityApiRegisterTests.Password(UserKeyedIdentityApiDefaults.MaxPasswordLength + 1);
        host.Hashes.Reset();

        await Asserts.ValidationProblemAsync(client.PostAsync("/identity/manage/info", new { oldPassword = password, newPassword = tooLong }, pair.Access), UserKeyedIdentityApiDefaults.PasswordTooLongErrorCode);
        await Asserts.ValidationProblemAsync(client.PostAsync("/identity/manage/info", new { oldPassword = tooLong, newPassword = client.NewCredentials().Password }, pair.Access), UserKeyedIdentityApiDefaults.PasswordTooLongErrorCode);

        Assert.Equal(0, host.Hashes.Total);
        Assert.Equal(0, await host.WithUserAsync(email, (users, user) => users.GetAccessFailedCountAsync(user)));
        Assert.Equal(HttpStatusCode.OK, await client.HelloStatusAsync(pair.Access));
    }
}
