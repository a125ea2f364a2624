using System.Net;
using UserKeyedJwt.AspNetCore.Tests.IdentityApi.Support;

namespace UserKeyedJwt.AspNetCore.Tests.IdentityApi;

/// <summary>/forgotPassword and /resetPassword, ported from aspnetcore's MapIdentityApiTests (CanResetPassword), and the length bound.</summary>
public sealed class IdentityApiPasswordResetTests
{
    [Fact]
    public async Task ResetPassword_CodeFromTheEmailSender_SetsTheNewPassword_AndNoAnswerRevealsAnAccount()
    {
        await using var host = await IdentityApiHost.StartAsync(identity: static o => o.SignIn.RequireConfirmedAccount = true);
        using var client = host.Client();
        var confirmed = await Account.RegisterConfirmedAsync(host, client);
        var (unconfirmed, _) = await client.RegisterAsync();
        Assert.Equal(2, host.Emails.Sent.Count);

        // 200 for a confirmed, an unconfirmed and an unknown address alike; only the confirmed one gets a code.
        Asserts.OkAndEmpty(await client.PostAsync("/identity/forgotPassword", new { email = confirmed.Email }));
        Asserts.OkAndEmpty(await client.PostAsync("/identity/forgotPassword", new { email = unconfirmed }));
        Asserts.OkAndEmpty(await client.PostAsync("/identity/forgotPassword", new { email = "wrong" }));
        Assert.Equal(3, host.Emails.Sent.Count);
        var resetEmail = host.Emails.Sent[2];
        Assert.Equal(EmailKind.PasswordResetCode, resetEmail.Kind);
        Assert.Equal(confirmed.Email, resetEmail.Address);
        var resetCode = RecordingEmailSender.ResetCode(resetEmail);
        host.Secrets.Enqueue(resetCode);
        var newPassword = confirmed.NewPassword();

        // A request without newPassword does not bind: 400 with an empty body, whatever the email.
        Asserts.BadRequestAndEmpty(await client.PostAsync("/identity/resetPassword", new { email = confirmed.Email, resetCode }));
        Asserts.BadRequestAndEmpty(await client.PostAsync("/identity/resetPassword", new { email = unconfirmed, resetCode }));
        Asserts.BadRequestAndEmpty(await client.PostAsync("/identity/resetPassword", new { email = "wrong", resetCode }));

        // A wrong code, an unconfirmed and an unknown email all answer InvalidToken.
        await Asserts.ValidationProblemAsync(client.PostAsync("/identity/resetPassword", new { email = confirmed.Email, resetCode = "wrong", newPassword }), "InvalidToken");
        await Asserts.ValidationProblemAsync(client.PostAsync("/identity/resetPassword", new { email = unconfirmed, resetCode = "wrong", newPassword }), "InvalidToken");
        await Asserts.ValidationProblemAsync(client.PostAsync("/identity/resetPassword", new { email = "wrong", resetCode = "wrong", newPassword }), "InvalidToken");
        await Asserts.ValidationProblemAsync(client.PostAsync("/identity/resetPassword", new { email = unconfirmed, resetCode, newPassword }), "InvalidToken");

        // Only with a valid code do the password rules show.
        await Asserts.ValidationProblemAsync(client.PostAsync("/identity/resetPassword", new { email = confirmed.Email, resetCode = "wrong", newPassword = string.Empty }), "InvalidToken");
        using (var weak = await client.PostAsync("/identity/resetPassword", new { email = confirmed.Email, resetCode, newPassword = string.Empty }))
        {
            await Asserts.ProblemAsync(weak, detail: null, title: "One or more validation errors occurred.", status: HttpStatusCode.BadRequest);
        }

        Asserts.OkAndEmpty(await client.PostAsync("/identity/resetPassword", new { email = confirmed.Email, resetCode, newPassword }));

        await Asserts.ProblemAsync(client.LoginAsync(confirmed.Email, confirmed.Password), "Failed");
        await Asserts.OkAsync(client.LoginAsync(confirmed.Email, newPassword));

        // The reset rotated the stamp, so the code is spent.
        await Asserts.ValidationProblemAsync(client.PostAsync("/identity/resetPassword", new { email = confirmed.Email, resetCode, newPassword = confirmed.NewPassword() }), "InvalidToken");
    }

    [Fact]
    public async Task ResetPassword_NewPasswordLongerThanTheMaximum_IsPasswordTooLongWithoutHashing_AndTheCodeStillWorks()
    {
        await using var host = await IdentityApiHost.StartAsync();
        using var client = host.Client();
        var account = await Account.RegisterConfirmedAsync(host, client);
        Asserts.OkAndEmpty(await client.PostAsync("/identity/forgotPassword", new { email = account.Email }));
        var resetCode = RecordingEmailSender.ResetCode(host.Emails.Sent[^1]);
        host.Secrets.Enqueue(resetCode);
        host.Hashes.Reset();

        var tooLong = IdentityApiRegisterTests.Password(UserKeyedIdentityApiDefaults.MaxPasswordLength + 1);
        await Asserts.ValidationProblemAsync(client.PostAsync("/identity/resetPassword", new { email = account.Email, resetCode, newPassword = tooLong }), UserKeyedIdentityApiDefaults.PasswordTooLongErrorCode);
        await Asserts.ValidationProblemAsync(client.PostAsync("/identity/resetPassword", new { email = "unknown@example.com", resetCode, newPassword = tooLong }), UserKeyedIdentityApiDefaults.PasswordTooLongErrorCode);
        Assert.Equal(0, host.Hashes.Total);

        var longest = IdentityApiRegisterTests.Password(UserKeyedIdentityApiDefaults.MaxPasswordLength);
        Asserts.OkAndEmpty(await client.PostAsync("/identity/resetPassword", new { email = account.Email, resetCode, newPassword = longest }));
        await Asserts.OkAsync(client.LoginAsync(account.Email, longest));
    }
}
