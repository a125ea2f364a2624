using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.Data;
using Microsoft.Extensions.Logging;
using UserKeyedJwt.AspNetCore.Internal;

namespace UserKeyedJwt.AspNetCore.IdentityApi;

/// <summary>
/// What <c>SignInManager.PasswordSignInAsync(..., lockoutOnFailure: true)</c> and its two-factor step decide, on the user
/// manager alone: SignInManager signs in through cookie schemes that a bearer-only API does not register. Every outcome
/// costs one password hash, where SignInManager answers an unknown user, a locked-out one and one not allowed without any.
/// </summary>
internal sealed class PasswordSignIn<TUser>(UserManager<TUser> users, IUserConfirmation<TUser> confirmation, UnknownUserPasswordHash<TUser> unknownUser, ILogger logger)
    where TUser : class, new()
{
    public async Task<(SignInResult Result, TUser? User)> SignInAsync(LoginRequest login)
    {
        var password = login.Password ?? string.Empty;

        // No account can hold such a password, and the answer depends on nothing but the request, so it reveals nothing.
        if (IdentityApiProblems.IsTooLong(password))
        {
            return (SignInResult.Failed, null);
        }

        // By user name, as SignInManager does: the API makes the user name the email.
        var user = string.IsNullOrEmpty(login.Email) ? null : await users.FindByNameAsync(login.Email).ConfigureAwait(false);
        if (user is null)
        {
            unknownUser.Verify(users.PasswordHasher, password);
            Log.IdentityApiSignInUnknownUser(logger);
            return (SignInResult.Failed, null);
        }

        // Checked before the answers that do not need it, so that they cost the same.
        var passwordMatches = await CheckPasswordAsync(user, password).ConfigureAwait(false);
        var userId = await users.GetUserIdAsync(user).ConfigureAwait(false);
        if (!await CanSignInAsync(user).ConfigureAwait(false))
        {
            return Refused(userId, SignInResult.NotAllowed);
        }

        if (await IsLockedOutAsync(user).ConfigureAwait(false))
        {
            return Refused(userId, SignInResult.LockedOut);
        }

        if (!passwordMatches)
        {
            return await FailAsync(user, userId, "sign-in").ConfigureAwait(false);
        }

        if (!await IsTwoFactorEnabledAsync(user).ConfigureAwait(false))
        {
            return await SucceedAsync(user).ConfigureAwait(false);
        }

        if (!string.IsNullOrEmpty(login.TwoFactorCode))
        {
            return await users.VerifyTwoFactorTokenAsync(user, users.Options.Tokens.AuthenticatorTokenProvider, login.TwoFactorCode).ConfigureAwait(false)
                ? await SucceedAsync(user).ConfigureAwait(false)
                : await FailAsync(user, userId, "two-factor code").ConfigureAwait(false);
        }

        if (!string.IsNullOrEmpty(login.TwoFactorRecoveryCode))
        {
            // SignInManager does not count these; counting them costs a legitimate user nothing and slows a guesser down.
            return (await users.RedeemTwoFactorRecoveryCodeAsync(user, login.TwoFactorRecoveryCode).ConfigureAwait(false)).Succeeded
                ? await SucceedAsync(user).ConfigureAwait(false)
                : await FailAsync(user, userId, "recovery code").ConfigureAwait(false);
        }

        return Refused(userId, SignInResult.TwoFactorRequired);
    }

    private async Task<bool> CheckPasswordAsync(TUser user, string password)
    {
        if (await users.HasPasswordAsync(user).ConfigureAwait(false))
        {
            return await users.CheckPasswordAsync(user, password).ConfigureAwait(false);
        }

        unknownUser.Verify(users.PasswordHasher, password);
        return false;
    }

    // SignInManager.CanSignInAsync: the confirmations that IdentityOptions.SignIn requires.
    private async Task<bool> CanSignInAsync(TUser user)
    {
        var signIn = users.Options.SignIn;
        return (!signIn.RequireConfirmedEmail || await users.IsEmailConfirmedAsync(user).ConfigureAwait(false))
            && (!signIn.RequireConfirmedPhoneNumber || await users.IsPhoneNumberConfirmedAsync(user).ConfigureAwait(false))
            && (!signIn.RequireConfirmedAccount || await confirmation.IsConfirmedAsync(users, user).ConfigureAwait(false));
    }

    private async Task<bool> IsLockedOutAsync(TUser user) =>
        users.SupportsUserLockout && await users.IsLockedOutAsync(user).ConfigureAwait(false);

    private async Task<bool> IsTwoFactorEnabledAsync(TUser user) =>
        users.SupportsUserTwoFactor
        && await users.GetTwoFactorEnabledAsync(user).ConfigureAwait(false)
        && (await users.GetValidTwoFactorProvidersAsync(user).ConfigureAwait(false)).Count > 0;

    private async Task<(SignInResult, TUser?)> SucceedAsync(TUser user)
    {
        if (users.SupportsUserLockout)
        {
            await users.ResetAccessFailedCountAsync(user).ConfigureAwait(false);
        }

        return (SignInResult.Success, user);
    }

    // AccessFailedAsync locks the user out through the store, not through SetLockoutEndDateAsync, so the stamp stays and the
    // user's live sessions survive a stranger's guesses.
    private async Task<(SignInResult, TUser?)> FailAsync(TUser user, string userId, string attempt)
    {
        if (users.SupportsUserLockout)
        {
            await users.AccessFailedAsync(user).ConfigureAwait(false);
            if (await users.IsLockedOutAsync(user).ConfigureAwait(false))
            {
                Log.IdentityApiUserLockedOut(logger, userId, attempt);
                return (SignInResult.LockedOut, null);
            }
        }

        return Refused(userId, SignInResult.Failed);
    }

    private (SignInResult, TUser?) Refused(string userId, SignInResult result)
    {
        Log.IdentityApiSignInRefused(logger, userId, result.ToString());
        return (result, null);
    }
}
