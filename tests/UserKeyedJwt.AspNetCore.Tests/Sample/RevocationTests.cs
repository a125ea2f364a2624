using System.Net;
using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using UserKeyedJwt.AspNetCore.Tests.Support;
using UserKeyedJwt.Sample.Data;

namespace UserKeyedJwt.AspNetCore.Tests.Sample;

/// <summary>
/// Each sensitive change made through the app's user manager (a <see cref="UserKeyedUserManager{TUser}"/>) revokes the
/// user's earlier tokens on the very next request, even though the token was just validated and its key is cached; a
/// fresh login works; other users are untouched.
/// </summary>
public sealed class RevocationTests(SampleApp app) : IClassFixture<SampleApp>
{
    public static TheoryData<string> SensitiveChanges =>
    [
        "SetUserName", "SetEmail", "AddToRole", "AddToRoles", "RemoveFromRole", "AddClaim", "ReplaceClaim", "RemoveClaim",
        "SetTwoFactorEnabled", "SetLockoutEndDate", "AddLogin", "RemoveLogin", "AddPasskey", "RemovePasskey",
        "UpdateSecurityStamp", "RevokeAllTokens", "ResetAuthenticatorKey", "SetPhoneNumber",
    ];

    [Theory]
    [MemberData(nameof(SensitiveChanges))]
    public async Task UserManagerChange_SensitiveChange_RevokesEarlierTokensOnNextRequest(string change)
    {
        using var api = app.Api();
        var user = await api.NewUserAsync();
        var bystander = await api.NewUserAsync("bystander");
        var bystanderToken = await api.LoginAsync(bystander);
        await PrepareAsync(user, change);
        var token = await api.LoginAsync(user);
        Assert.Equal(HttpStatusCode.OK, await api.MeStatusAsync(token));

        var result = await app.ChangeUserAsync(user.Id, (users, u) => ApplyAsync(users, u, change));

        Assert.True(result.Succeeded, string.Join(", ", result.Errors.Select(e => e.Code)));
        Assert.Equal(HttpStatusCode.Unauthorized, await api.MeStatusAsync(token));
        if (change is not ("SetLockoutEndDate" or "SetUserName" or "SetEmail"))
        {
            Assert.Equal(HttpStatusCode.OK, await api.MeStatusAsync(await api.LoginAsync(user)));
        }

        Assert.Equal(HttpStatusCode.OK, await api.MeStatusAsync(bystanderToken));
    }

    [Fact]
    public async Task UpdateAsync_NonKeyInputChange_KeepsEarlierTokens()
    {
        using var api = app.Api();
        var user = await api.NewUserAsync();
        var token = await api.LoginAsync(user);
        Assert.Equal(HttpStatusCode.OK, await api.MeStatusAsync(token));

        var result = await app.ChangeUserAsync(user.Id, (users, u) =>
        {
            u.DisplayName = "Changed";
            return users.UpdateAsync(u);
        });

        Assert.True(result.Succeeded);
        Assert.Equal(HttpStatusCode.OK, await api.MeStatusAsync(token));
    }

    [Fact]
    public async Task AddOrUpdatePasskeyAsync_KnownPasskey_KeepsEarlierTokens()
    {
        using var api = app.Api();
        var user = await api.NewUserAsync();
        var passkey = NewPasskey(signCount: 1);
        Assert.True((await app.ChangeUserAsync(user.Id, (users, u) => users.AddOrUpdatePasskeyAsync(u, passkey))).Succeeded);
        var token = await api.LoginAsync(user);
        Assert.Equal(HttpStatusCode.OK, await api.MeStatusAsync(token));

        // What a passkey sign-in does on every use: store the new signature counter.
        var used = NewPasskey(signCount: 2, credentialId: passkey.CredentialId);
        var result = await app.ChangeUserAsync(user.Id, (users, u) => users.AddOrUpdatePasskeyAsync(u, used));

        Assert.True(result.Succeeded);
        Assert.Equal(HttpStatusCode.OK, await api.MeStatusAsync(token));
    }

    [Fact]
    public async Task Login_RepeatedWrongPasswords_LocksAccountButKeepsEarlierTokens()
    {
        // Automatic lockout must not rotate the stamp: otherwise anyone who knows an email could end that user's sessions.
        using var api = app.Api();
        var user = await api.NewUserAsync();
        var token = await api.LoginAsync(user);
        Assert.Equal(HttpStatusCode.OK, await api.MeStatusAsync(token));

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await api.StatusAsync(HttpMethod.Post, $"{Api.Identity}/login", body: new { email = user.Email, password = "Wrong-Passw0rd!" }));
        }

        Assert.Equal(HttpStatusCode.Unauthorized, await api.StatusAsync(HttpMethod.Post, $"{Api.Identity}/login", body: new { email = user.Email, password = user.Password }));
        Assert.Equal(HttpStatusCode.OK, await api.MeStatusAsync(token));
    }

    [Fact]
    public async Task DeleteAsync_User_RevokesEarlierTokensOnNextRequest()
    {
        using var api = app.Api();
        var user = await api.NewUserAsync();
        var token = await api.LoginAsync(user);
        Assert.Equal(HttpStatusCode.OK, await api.MeStatusAsync(token));

        var result = await app.ChangeUserAsync(user.Id, (users, u) => users.DeleteAsync(u));

        Assert.True(result.Succeeded);
        Assert.Equal(HttpStatusCode.Unauthorized, await api.MeStatusAsync(token));
    }

    [Fact]
    public async Task PostPassword_OneUser_KeepsOtherUsersTokens()
    {
        using var api = app.Api();
        var changer = await api.NewUserAsync("changer");
        var other = await api.NewUserAsync("other");
        var changerToken = await api.LoginAsync(changer);
        var otherToken = await api.LoginAsync(other);

        Assert.Equal(HttpStatusCode.OK, await api.StatusAsync(HttpMethod.Post, $"{Api.Identity}/manage/info", changerToken, new { oldPassword = changer.Password, newPassword = Api.NewPassword() }));
        Assert.Equal(HttpStatusCode.NoContent, await api.StatusAsync(HttpMethod.Post, $"/admin/users/{changer.Id}/revoke", await api.LoginAdminAsync()));

        Assert.Equal(HttpStatusCode.Unauthorized, await api.MeStatusAsync(changerToken));
        Assert.Equal(HttpStatusCode.OK, await api.MeStatusAsync(otherToken));
    }

    private async Task PrepareAsync(TestUser user, string change)
    {
        var prepared = change switch
        {
            "RemoveFromRole" => await app.ChangeUserAsync(user.Id, (users, u) => users.AddToRoleAsync(u, SampleDatabaseRoles.Admin)),
            "ReplaceClaim" or "RemoveClaim" => await app.ChangeUserAsync(user.Id, (users, u) => users.AddClaimAsync(u, new Claim("tier", "gold"))),
            "RemoveLogin" => await app.ChangeUserAsync(user.Id, (users, u) => users.AddLoginAsync(u, new UserLoginInfo("github", user.Id, "GitHub"))),
            "RemovePasskey" => await app.ChangeUserAsync(user.Id, (users, u) => users.AddOrUpdatePasskeyAsync(u, NewPasskey(1, SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(user.Id))))),
            _ => IdentityResult.Success,
        };
        Assert.True(prepared.Succeeded, string.Join(", ", prepared.Errors.Select(e => e.Code)));
    }

    private static Task<IdentityResult> ApplyAsync(UserManager<SampleUser> users, SampleUser user, string change) => change switch
    {
        "SetUserName" => users.SetUserNameAsync(user, Api.NewEmail("renamed")),
        "SetEmail" => users.SetEmailAsync(user, Api.NewEmail("moved")),
        "AddToRole" => users.AddToRoleAsync(user, SampleDatabaseRoles.Admin),
        "AddToRoles" => users.AddToRolesAsync(user, [SampleDatabaseRoles.Admin]),
        "RemoveFromRole" => users.RemoveFromRoleAsync(user, SampleDatabaseRoles.Admin),
        "AddClaim" => users.AddClaimAsync(user, new Claim("tier", "gold")),
        "ReplaceClaim" => users.ReplaceClaimAsync(user, new Claim("tier", "gold"), new Claim("tier", "platinum")),
        "RemoveClaim" => users.RemoveClaimAsync(user, new Claim("tier", "gold")),
        "SetTwoFactorEnabled" => users.SetTwoFactorEnabledAsync(user, true),
        "SetLockoutEndDate" => users.SetLockoutEndDateAsync(user, DateTimeOffset.MaxValue),
        "AddLogin" => users.AddLoginAsync(user, new UserLoginInfo("github", Guid.NewGuid().ToString(), "GitHub")),
        "RemoveLogin" => users.RemoveLoginAsync(user, "github", user.Id),
        "AddPasskey" => users.AddOrUpdatePasskeyAsync(user, NewPasskey(signCount: 0)),
        "RemovePasskey" => users.RemovePasskeyAsync(user, SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(user.Id))),
        "UpdateSecurityStamp" => users.UpdateSecurityStampAsync(user),
        "RevokeAllTokens" => ((UserKeyedUserManager<SampleUser>)users).RevokeAllTokensAsync(user),
        "ResetAuthenticatorKey" => users.ResetAuthenticatorKeyAsync(user),
        "SetPhoneNumber" => users.SetPhoneNumberAsync(user, "+15555550100"),
        _ => throw new ArgumentOutOfRangeException(nameof(change), change, null),
    };

    private static UserPasskeyInfo NewPasskey(uint signCount, byte[]? credentialId = null) =>
        new(credentialId ?? RandomNumberGenerator.GetBytes(32), RandomNumberGenerator.GetBytes(65), DateTimeOffset.UnixEpoch, signCount,
            ["internal"], isUserVerified: true, isBackupEligible: false, isBackedUp: false, attestationObject: [1], clientDataJson: [2]);

    private static class SampleDatabaseRoles
    {
        public const string Admin = "admin";
    }
}
