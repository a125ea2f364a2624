using System.Net;
using System.Text.Json;

namespace UserKeyedJwt.AspNetCore.Tests.IdentityApi.Support;

/// <summary>
/// One registered user as the tests drive it over HTTP: the current email, password and authenticator key, kept up to date as
/// the credential changes go through.
/// </summary>
public sealed class Account(IdentityApiHost host, IdentityApiClient client, string email, string password)
{
    public IdentityApiHost Host => host;

    public IdentityApiClient Client => client;

    public string Email { get; set; } = email;

    public string Password { get; set; } = password;

    /// <summary>The authenticator key while 2FA is on, so that a login can send a code.</summary>
    public string? TwoFactorKey { get; set; }

    /// <summary>Registers a user whose email is confirmed (as /forgotPassword requires), through the confirmation link.</summary>
    public static async Task<Account> RegisterConfirmedAsync(IdentityApiHost host, IdentityApiClient client)
    {
        var (email, password) = await client.RegisterAsync();
        await Asserts.OkAsync(client.GetAsync(RecordingEmailSender.Link(host.Emails.Sent.Last(e => e.Address == email))));
        return new Account(host, client, email, password);
    }

    public Task<TokenPair> LoginAsync() =>
        client.LoginPairAsync(Email, Password, TwoFactorKey is null ? null : new { twoFactorCode = Totp.Code(TwoFactorKey) });

    public async Task<JsonElement> TwoFactorAsync(string accessToken, object body) => await client.JsonAsync(HttpMethod.Post, "/identity/manage/2fa", accessToken, body);

    /// <summary>Turns 2FA on or off as app code would (the user manager, not the API), keeping <see cref="TwoFactorKey"/> in step.</summary>
    public async Task SetTwoFactorByAppAsync(bool enabled)
    {
        var key = await host.WithUserAsync(Email, async (users, user) =>
        {
            if (enabled && string.IsNullOrEmpty(await users.GetAuthenticatorKeyAsync(user)))
            {
                Assert.True((await users.ResetAuthenticatorKeyAsync(user)).Succeeded);
            }

            Assert.True((await users.SetTwoFactorEnabledAsync(user, enabled)).Succeeded);
            return await users.GetAuthenticatorKeyAsync(user);
        });
        TwoFactorKey = enabled ? key : null;
    }

    public async Task SetLockoutEndByAppAsync(DateTimeOffset? end) =>
        Assert.True((await host.ChangeUserAsync(Email, (users, user) => users.SetLockoutEndDateAsync(user, end))).Succeeded);

    public string NewPassword()
    {
        var (_, password) = client.NewCredentials();
        return password;
    }

    /// <summary>Asserts that neither token of <paramref name="pair"/> works any more: the access token at an API, the refresh token at /refresh.</summary>
    public async Task AssertEndedAsync(TokenPair pair)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, await client.HelloStatusAsync(pair.Access));
        await Asserts.UnauthorizedAndEmptyAsync(client.RefreshAsync(pair.Refresh));
    }

    public async Task AssertWorksAsync(TokenPair pair)
    {
        Assert.Equal(HttpStatusCode.OK, await client.HelloStatusAsync(pair.Access));
    }
}

/// <summary>
/// A change to a user's credentials that must revoke every earlier token of the user: prepared (whatever it needs, per
/// round), then committed, as the one request (or app call) that the revocation is measured from.
/// </summary>
public abstract class CredentialChange
{
    public static readonly IReadOnlyDictionary<string, Func<CredentialChange>> All = new Dictionary<string, Func<CredentialChange>>(StringComparer.Ordinal)
    {
        ["password change"] = static () => new PasswordChange(),
        ["password reset"] = static () => new PasswordReset(),
        ["2fa enable"] = static () => new TwoFactorEnable(),
        ["2fa disable"] = static () => new TwoFactorDisable(),
        ["2fa key reset"] = static () => new TwoFactorKeyReset(),
        ["email change"] = static () => new EmailChange(),
        ["admin lock"] = static () => new AdminLock(),
    };

    public static TheoryData<string> Names => [.. All.Keys];

    /// <summary>Readies the change, from whatever state the last round left; the user's sessions are opened after this.</summary>
    public abstract Task PrepareAsync(Account account);

    /// <summary>Makes the change and asserts that it went through.</summary>
    public abstract Task CommitAsync(Account account);

    /// <summary>A login after the change: it works, except after an admin lock.</summary>
    public virtual async Task AssertCanLogInAgainAsync(Account account) => await account.AssertWorksAsync(await account.LoginAsync());

    private sealed class PasswordChange : CredentialChange
    {
        private TokenPair? _actor;

        public override async Task PrepareAsync(Account account) => _actor = await account.LoginAsync();

        public override async Task CommitAsync(Account account)
        {
            var newPassword = account.NewPassword();
            await account.Client.JsonAsync(HttpMethod.Post, "/identity/manage/info", _actor!.Access, new { oldPassword = account.Password, newPassword });
            account.Password = newPassword;
        }
    }

    private sealed class PasswordReset : CredentialChange
    {
        private string? _code;

        public override async Task PrepareAsync(Account account)
        {
            Asserts.OkAndEmpty(await account.Client.PostAsync("/identity/forgotPassword", new { email = account.Email }));
            _code = RecordingEmailSender.ResetCode(account.Host.Emails.Sent.Last(e => e.Address == account.Email));
            account.Host.Secrets.Enqueue(_code);
        }

        public override async Task CommitAsync(Account account)
        {
            var newPassword = account.NewPassword();
            Asserts.OkAndEmpty(await account.Client.PostAsync("/identity/resetPassword", new { email = account.Email, resetCode = _code, newPassword }));
            account.Password = newPassword;
        }
    }

    private sealed class TwoFactorEnable : CredentialChange
    {
        private TokenPair? _actor;
        private string? _key;

        public override async Task PrepareAsync(Account account)
        {
            if (account.TwoFactorKey is not null)
            {
                await account.SetTwoFactorByAppAsync(false);
            }

            _actor = await account.LoginAsync();
            _key = (await account.TwoFactorAsync(_actor.Access, new { })).GetProperty("sharedKey").GetString()!;
            account.Host.Secrets.Enqueue(_key);
        }

        public override async Task CommitAsync(Account account)
        {
            var enabled = await account.TwoFactorAsync(_actor!.Access, new { enable = true, twoFactorCode = Totp.Code(_key!) });
            Assert.True(enabled.GetProperty("isTwoFactorEnabled").GetBoolean());
            account.TwoFactorKey = _key;
        }
    }

    private sealed class TwoFactorDisable : CredentialChange
    {
        private TokenPair? _actor;

        public override async Task PrepareAsync(Account account)
        {
            if (account.TwoFactorKey is null)
            {
                await account.SetTwoFactorByAppAsync(true);
                account.Host.Secrets.Enqueue(account.TwoFactorKey!);
            }

            _actor = await account.LoginAsync();
        }

        public override async Task CommitAsync(Account account)
        {
            var disabled = await account.TwoFactorAsync(_actor!.Access, new { enable = false });
            Assert.False(disabled.GetProperty("isTwoFactorEnabled").GetBoolean());
            account.TwoFactorKey = null;
        }
    }

    private sealed class TwoFactorKeyReset : CredentialChange
    {
        private TokenPair? _actor;

        public override async Task PrepareAsync(Account account) => _actor = await account.LoginAsync();

        public override async Task CommitAsync(Account account)
        {
            var reset = await account.TwoFactorAsync(_actor!.Access, new { resetSharedKey = true });
            account.Host.Secrets.Enqueue(reset.GetProperty("sharedKey").GetString()!);
            Assert.False(reset.GetProperty("isTwoFactorEnabled").GetBoolean());
            account.TwoFactorKey = null;
        }
    }

    private sealed class EmailChange : CredentialChange
    {
        private string? _newEmail;
        private string? _link;

        public override async Task PrepareAsync(Account account)
        {
            var actor = await account.LoginAsync();
            _newEmail = $"{Guid.NewGuid():N}@example.com";
            var info = await account.Client.JsonAsync(HttpMethod.Post, "/identity/manage/info", actor.Access, new { newEmail = _newEmail });
            Assert.Equal(account.Email, info.GetProperty("email").GetString());
            _link = RecordingEmailSender.Link(Assert.Single(account.Host.Emails.Sent, e => e.Address == _newEmail));
            account.Host.Secrets.Enqueue(RecordingEmailSender.CodeOf(_link));
        }

        public override async Task CommitAsync(Account account)
        {
            await Asserts.OkAsync(account.Client.GetAsync(_link!));
            account.Email = _newEmail!;
        }
    }

    private sealed class AdminLock : CredentialChange
    {
        public override async Task PrepareAsync(Account account)
        {
            if (await account.Host.WithUserAsync(account.Email, (users, user) => users.IsLockedOutAsync(user)))
            {
                await account.SetLockoutEndByAppAsync(null);
            }
        }

        public override Task CommitAsync(Account account) => account.SetLockoutEndByAppAsync(TimeProvider.System.GetUtcNow().AddHours(1));

        public override async Task AssertCanLogInAgainAsync(Account account) =>
            await Asserts.ProblemAsync(account.Client.LoginAsync(account.Email, account.Password), "LockedOut");
    }
}
