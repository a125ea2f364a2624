using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using UserKeyedJwt.AspNetCore.Tests.IdentityApi.Support;

namespace UserKeyedJwt.AspNetCore.Tests.IdentityApi;

/// <summary>/manage/2fa and two-factor login, ported from aspnetcore's MapIdentityApiTests, with the revocations MapIdentityApi lacks.</summary>
public sealed class IdentityApiTwoFactorTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TwoFactor_EnableNeedsAValidCode_ThenLoginRequiresIt_AndTheCallersTokensEnd_UnlikeMapIdentityApi()
    {
        await using var host = await IdentityApiHost.StartAsync();
        using var client = host.Client();
        var (email, password) = await client.RegisterAsync();
        var pair = await client.LoginPairAsync(email, password);

        Asserts.UnauthorizedAndEmpty(await client.PostAsync("/identity/manage/2fa", null));

        // 2FA cannot be enabled without proving a code of the key.
        await Asserts.ValidationProblemAsync(client.PostAsync("/identity/manage/2fa", new { enable = true }, pair.Access), "RequiresTwoFactor");
        await Asserts.ValidationProblemAsync(client.PostAsync("/identity/manage/2fa", new { enable = true, twoFactorCode = "wrong" }, pair.Access), "InvalidTwoFactorCode");

        // Authenticated, the body must still be at least "{}".
        Asserts.BadRequestAndEmpty(await client.PostAsync("/identity/manage/2fa", null, pair.Access));
        using (var nullBody = new HttpRequestMessage(HttpMethod.Post, "/identity/manage/2fa") { Content = JsonContent.Create<object?>(null) })
        {
            nullBody.Headers.Authorization = new("Bearer", pair.Access);
            Asserts.BadRequestAndEmpty(await client.Http.SendAsync(nullBody, Ct));
        }

        var status = await client.JsonAsync(HttpMethod.Post, "/identity/manage/2fa", pair.Access, new { });
        Assert.False(status.GetProperty("isTwoFactorEnabled").GetBoolean());
        Assert.False(status.GetProperty("isMachineRemembered").GetBoolean());
        var sharedKey = status.GetProperty("sharedKey").GetString()!;
        host.Secrets.Enqueue(sharedKey);
        var twoFactorCode = Totp.Code(sharedKey);

        var enabled = await client.JsonAsync(HttpMethod.Post, "/identity/manage/2fa", pair.Access, new { twoFactorCode, enable = true });
        Assert.True(enabled.GetProperty("isTwoFactorEnabled").GetBoolean());
        Assert.False(enabled.GetProperty("isMachineRemembered").GetBoolean());

        // MapIdentityApi's old access token keeps working until it expires; here enabling 2FA ends both tokens at once.
        Assert.Equal(HttpStatusCode.Unauthorized, await client.HelloStatusAsync(pair.Access));
        await Asserts.UnauthorizedAndEmptyAsync(client.RefreshAsync(pair.Refresh));

        await Asserts.ProblemAsync(client.LoginAsync(email, password), "RequiresTwoFactor");
        var twoFactorPair = await client.LoginPairAsync(email, password, new { twoFactorCode });
        Assert.Equal(HttpStatusCode.OK, await client.HelloStatusAsync(twoFactorPair.Access));
    }

    [Fact]
    public async Task TwoFactor_GettingTheFirstKey_KeepsTheCallersSession_UnlikeMapIdentityApi()
    {
        await using var host = await IdentityApiHost.StartAsync();
        using var client = host.Client();
        var (email, password) = await client.RegisterAsync();
        var pair = await client.LoginPairAsync(email, password);

        var first = await client.JsonAsync(HttpMethod.Post, "/identity/manage/2fa", pair.Access, new { });
        var again = await client.JsonAsync(HttpMethod.Post, "/identity/manage/2fa", pair.Access, new { });
        host.Secrets.Enqueue(first.GetProperty("sharedKey").GetString()!);

        // MapIdentityApi makes the first key with ResetAuthenticatorKeyAsync, whose new stamp ends the refresh token.
        Assert.Equal(first.GetProperty("sharedKey").GetString(), again.GetProperty("sharedKey").GetString());
        Assert.Equal(HttpStatusCode.OK, await client.HelloStatusAsync(pair.Access));
        await Asserts.OkAsync(client.RefreshAsync(pair.Refresh));
    }

    [Fact]
    public async Task TwoFactor_RecoveryCodeLogsIn_ThenDisabling_LetsThePasswordAloneLogIn()
    {
        await using var host = await IdentityApiHost.StartAsync();
        using var client = host.Client();
        var account = await Account.RegisterConfirmedAsync(host, client);
        var (access, recoveryCodes) = await EnableAsync(account);
        Assert.Equal(10, recoveryCodes.Length);

        await Asserts.ProblemAsync(client.LoginAsync(account.Email, account.Password), "RequiresTwoFactor");
        var recovered = await client.LoginPairAsync(account.Email, account.Password, new { twoFactorRecoveryCode = recoveryCodes[0] });
        Assert.NotEqual(access, recovered.Access);

        var disabled = await account.TwoFactorAsync(recovered.Access, new { enable = false });
        Assert.False(disabled.GetProperty("isTwoFactorEnabled").GetBoolean());

        await Asserts.OkAsync(client.LoginAsync(account.Email, account.Password));
    }

    [Fact]
    public async Task TwoFactor_ResetSharedKey_CannotBeCombinedWithEnable_DisablesTwoFactor_AndRetiresTheOldKeysCodes()
    {
        await using var host = await IdentityApiHost.StartAsync();
        using var client = host.Client();
        var account = await Account.RegisterConfirmedAsync(host, client);
        var pair = await account.LoginAsync();
        var sharedKey = (await account.TwoFactorAsync(pair.Access, new { })).GetProperty("sharedKey").GetString()!;
        host.Secrets.Enqueue(sharedKey);
        var twoFactorCode = Totp.Code(sharedKey);

        await Asserts.ValidationProblemAsync(client.PostAsync("/identity/manage/2fa", new { twoFactorCode, enable = true, resetSharedKey = true }, pair.Access), "CannotResetSharedKeyAndEnable");
        Assert.True((await account.TwoFactorAsync(pair.Access, new { twoFactorCode, enable = true })).GetProperty("isTwoFactorEnabled").GetBoolean());
        account.TwoFactorKey = sharedKey;

        // Enabling ended the session, so the key is reset from a new one.
        pair = await account.LoginAsync();
        var reset = await account.TwoFactorAsync(pair.Access, new { resetSharedKey = true });
        Assert.False(reset.GetProperty("isTwoFactorEnabled").GetBoolean());
        var newKey = reset.GetProperty("sharedKey").GetString()!;
        host.Secrets.Enqueue(newKey);
        Assert.NotEqual(sharedKey, newKey);
        account.TwoFactorKey = null;
        Assert.Equal(HttpStatusCode.Unauthorized, await client.HelloStatusAsync(pair.Access));

        pair = await account.LoginAsync();
        await Asserts.ValidationProblemAsync(client.PostAsync("/identity/manage/2fa", new { twoFactorCode = Totp.Code(sharedKey), enable = true }, pair.Access), "InvalidTwoFactorCode");
        Assert.True((await account.TwoFactorAsync(pair.Access, new { twoFactorCode = Totp.Code(newKey), enable = true })).GetProperty("isTwoFactorEnabled").GetBoolean());
    }

    [Fact]
    public async Task TwoFactor_RecoveryCodes_AreSingleUse_AndResettingThemRetiresTheUnusedOnes()
    {
        await using var host = await IdentityApiHost.StartAsync();
        using var client = host.Client();
        var account = await Account.RegisterConfirmedAsync(host, client);
        var (_, recoveryCodes) = await EnableAsync(account);

        await Asserts.ProblemAsync(client.LoginAsync(account.Email, account.Password), "RequiresTwoFactor");
        await Asserts.OkAsync(client.LoginAsync(account.Email, account.Password, new { twoFactorRecoveryCode = recoveryCodes[0] }));
        await Asserts.ProblemAsync(client.LoginAsync(account.Email, account.Password, new { twoFactorRecoveryCode = recoveryCodes[0] }), "Failed");
        var pair = await client.LoginPairAsync(account.Email, account.Password, new { twoFactorRecoveryCode = recoveryCodes[1] });

        var status = await account.TwoFactorAsync(pair.Access, new { });
        Assert.Equal(8, status.GetProperty("recoveryCodesLeft").GetInt32());
        Assert.Equal(JsonValueKind.Null, status.GetProperty("recoveryCodes").ValueKind);

        var twoFactorCode = Totp.Code(account.TwoFactorKey!);
        await Asserts.ValidationProblemAsync(client.PostAsync("/identity/manage/2fa", new { twoFactorCode, enable = true, resetSharedKey = true }, pair.Access), "CannotResetSharedKeyAndEnable");

        var reset = await account.TwoFactorAsync(pair.Access, new { resetRecoveryCodes = true });
        var newCodes = Codes(reset);
        Assert.Equal(10, reset.GetProperty("recoveryCodesLeft").GetInt32());
        Assert.Equal(10, newCodes.Length);
        Assert.Empty(recoveryCodes.Intersect(newCodes));

        await Asserts.OkAsync(client.LoginAsync(account.Email, account.Password, new { twoFactorRecoveryCode = newCodes[0] }));
        await Asserts.ProblemAsync(client.LoginAsync(account.Email, account.Password, new { twoFactorRecoveryCode = recoveryCodes[2] }), "Failed");
    }

    [Fact]
    public async Task Login_WrongTwoFactorOrRecoveryCodes_CountTowardLockout()
    {
        await using var host = await IdentityApiHost.StartAsync(identity: static o => o.Lockout.MaxFailedAccessAttempts = 3);
        using var client = host.Client();
        var account = await Account.RegisterConfirmedAsync(host, client);
        await EnableAsync(account);

        await Asserts.ProblemAsync(client.LoginAsync(account.Email, account.Password, new { twoFactorCode = "000000x" }), "Failed");
        await Asserts.ProblemAsync(client.LoginAsync(account.Email, account.Password, new { twoFactorRecoveryCode = "wrong" }), "Failed");
        await Asserts.ProblemAsync(client.LoginAsync(account.Email, account.Password, new { twoFactorCode = "000000x" }), "LockedOut");
        await Asserts.ProblemAsync(client.LoginAsync(account.Email, account.Password, new { twoFactorCode = Totp.Code(account.TwoFactorKey!) }), "LockedOut");
    }

    [Fact]
    public async Task TwoFactor_ForgetMachine_IsAccepted_AndNoMachineIsEverRemembered_UnlikeMapIdentityApi()
    {
        await using var host = await IdentityApiHost.StartAsync();
        using var client = host.Client();
        var account = await Account.RegisterConfirmedAsync(host, client);
        await EnableAsync(account);
        var pair = await account.LoginAsync();

        var status = await account.TwoFactorAsync(pair.Access, new { forgetMachine = true });

        Assert.True(status.GetProperty("isTwoFactorEnabled").GetBoolean());
        Assert.False(status.GetProperty("isMachineRemembered").GetBoolean());
        Assert.Equal(HttpStatusCode.OK, await client.HelloStatusAsync(pair.Access));
    }

    /// <summary>Enables 2FA through the API, as a client would; returns the access token used and the recovery codes.</summary>
    private static async Task<(string Access, string[] RecoveryCodes)> EnableAsync(Account account)
    {
        var pair = await account.LoginAsync();
        var sharedKey = (await account.TwoFactorAsync(pair.Access, new { })).GetProperty("sharedKey").GetString()!;
        account.Host.Secrets.Enqueue(sharedKey);
        var enabled = await account.TwoFactorAsync(pair.Access, new { twoFactorCode = Totp.Code(sharedKey), enable = true });
        Assert.True(enabled.GetProperty("isTwoFactorEnabled").GetBoolean());
        account.TwoFactorKey = sharedKey;
        var codes = Codes(enabled);
        foreach (var code in codes)
        {
            account.Host.Secrets.Enqueue(code);
        }

        return (pair.Access, codes);
    }

    private static string[] Codes(JsonElement response) => [.. response.GetProperty("recoveryCodes").EnumerateArray().Select(static e => e.GetString()!)];
}
