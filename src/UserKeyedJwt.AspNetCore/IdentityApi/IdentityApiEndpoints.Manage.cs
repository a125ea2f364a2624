using System.Security.Claims;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.Data;
using Microsoft.AspNetCore.Routing;
using UserKeyedJwt.AspNetCore.Internal;
using FromBodyAttribute = Microsoft.AspNetCore.Mvc.FromBodyAttribute;
using FromServicesAttribute = Microsoft.AspNetCore.Mvc.FromServicesAttribute;

namespace UserKeyedJwt.AspNetCore.IdentityApi;

// /manage/2fa and /manage/info. Each change Identity makes with a new stamp (2FA on or off, a new authenticator key, a new
// password) revokes every earlier token of the user, the caller's own included, and mints none in its place.
internal sealed partial class IdentityApiEndpoints<TUser>
{
    private const int RecoveryCodeCount = 10;

    private static async Task<Results<Ok<TwoFactorResponse>, ValidationProblem, NotFound>> TwoFactorAsync(
        ClaimsPrincipal claimsPrincipal,
        [FromBody] TwoFactorRequest tfaRequest,
        [FromServices] UserManager<TUser> users,
        [FromServices] IUserStore<TUser> store)
    {
        if (await FindCallerAsync(users, claimsPrincipal).ConfigureAwait(false) is not { } user)
        {
            return TypedResults.NotFound();
        }

        if (tfaRequest.Enable == true)
        {
            if (tfaRequest.ResetSharedKey)
            {
                return IdentityApiProblems.Single("CannotResetSharedKeyAndEnable", "Resetting the 2fa shared key must disable 2fa until a 2fa token based on the new shared key is validated.");
            }

            if (string.IsNullOrEmpty(tfaRequest.TwoFactorCode))
            {
                return IdentityApiProblems.Single("RequiresTwoFactor", "No 2fa token was provided by the request. A valid 2fa token is required to enable 2fa.");
            }

            if (!await users.VerifyTwoFactorTokenAsync(user, users.Options.Tokens.AuthenticatorTokenProvider, tfaRequest.TwoFactorCode).ConfigureAwait(false))
            {
                return IdentityApiProblems.Single("InvalidTwoFactorCode", "The 2fa token provided by the request was invalid. A valid 2fa token is required to enable 2fa.");
            }

            await users.SetTwoFactorEnabledAsync(user, true).ConfigureAwait(false);
        }
        else if (tfaRequest.Enable == false || tfaRequest.ResetSharedKey)
        {
            await users.SetTwoFactorEnabledAsync(user, false).ConfigureAwait(false);
        }

        if (tfaRequest.ResetSharedKey)
        {
            await users.ResetAuthenticatorKeyAsync(user).ConfigureAwait(false);
        }

        string[]? recoveryCodes = null;
        if (tfaRequest.ResetRecoveryCodes || (tfaRequest.Enable == true && await users.CountRecoveryCodesAsync(user).ConfigureAwait(false) == 0))
        {
            recoveryCodes = (await users.GenerateNewTwoFactorRecoveryCodesAsync(user, RecoveryCodeCount).ConfigureAwait(false))?.ToArray();
        }

        // ForgetMachine has nothing to forget: no remember-this-machine cookie is ever set.
        var key = await users.GetAuthenticatorKeyAsync(user).ConfigureAwait(false);
        if (string.IsNullOrEmpty(key))
        {
            key = await ProvisionAuthenticatorKeyAsync(users, store, user).ConfigureAwait(false);
        }

        return TypedResults.Ok(new TwoFactorResponse
        {
            SharedKey = key,
            RecoveryCodes = recoveryCodes,
            RecoveryCodesLeft = recoveryCodes?.Length ?? await users.CountRecoveryCodesAsync(user).ConfigureAwait(false),
            IsTwoFactorEnabled = await users.GetTwoFactorEnabledAsync(user).ConfigureAwait(false),
            IsMachineRemembered = false,
        });
    }

    private static async Task<Results<Ok<InfoResponse>, ValidationProblem, NotFound>> GetInfoAsync(ClaimsPrincipal claimsPrincipal, [FromServices] UserManager<TUser> users) =>
        await FindCallerAsync(users, claimsPrincipal).ConfigureAwait(false) is { } user
            ? TypedResults.Ok(await InfoAsync(users, user).ConfigureAwait(false))
            : TypedResults.NotFound();

    private async Task<Results<Ok<InfoResponse>, ValidationProblem, NotFound>> PostInfoAsync(
        ClaimsPrincipal claimsPrincipal,
        [FromBody] InfoRequest infoRequest,
        HttpContext context,
        [FromServices] UserManager<TUser> users,
        [FromServices] IEmailSender<TUser> emailSender,
        [FromServices] LinkGenerator links)
    {
        if (await FindCallerAsync(users, claimsPrincipal).ConfigureAwait(false) is not { } user)
        {
            return TypedResults.NotFound();
        }

        if (!string.IsNullOrEmpty(infoRequest.NewEmail) && !EmailAddress.IsValid(infoRequest.NewEmail))
        {
            return IdentityApiProblems.From(IdentityResult.Failed(users.ErrorDescriber.InvalidEmail(infoRequest.NewEmail)));
        }

        if (!string.IsNullOrEmpty(infoRequest.NewPassword)
            && await ChangePasswordAsync(users, user, infoRequest.OldPassword, infoRequest.NewPassword).ConfigureAwait(false) is { } refused)
        {
            return refused;
        }

        if (!string.IsNullOrEmpty(infoRequest.NewEmail) && await users.GetEmailAsync(user).ConfigureAwait(false) != infoRequest.NewEmail)
        {
            // Nothing changes until the link is followed; then the stamp rotates and the user's earlier tokens die.
            await SendConfirmationEmailAsync(user, infoRequest.NewEmail, isChange: true, context, users, emailSender, links).ConfigureAwait(false);
        }

        return TypedResults.Ok(await InfoAsync(users, user).ConfigureAwait(false));
    }

    // A stolen access token must not become a password oracle: a wrong current password counts toward lockout, and a
    // locked-out user's current password is not checked at all.
    private async Task<ValidationProblem?> ChangePasswordAsync(UserManager<TUser> users, TUser user, string? oldPassword, string newPassword)
    {
        if (string.IsNullOrEmpty(oldPassword))
        {
            return IdentityApiProblems.Single("OldPasswordRequired", "The old password is required to set a new password. If the old password is forgotten, use /resetPassword.");
        }

        if (IdentityApiProblems.IsTooLong(oldPassword) || IdentityApiProblems.IsTooLong(newPassword))
        {
            return IdentityApiProblems.PasswordTooLong();
        }

        var userId = await users.GetUserIdAsync(user).ConfigureAwait(false);
        if (users.SupportsUserLockout && await users.IsLockedOutAsync(user).ConfigureAwait(false))
        {
            Log.IdentityApiPasswordChangeRefused(logger, userId, "locked out");
            return IdentityApiProblems.LockedOut();
        }

        var result = await users.ChangePasswordAsync(user, oldPassword, newPassword).ConfigureAwait(false);
        if (result.Succeeded)
        {
            if (users.SupportsUserLockout)
            {
                await users.ResetAccessFailedCountAsync(user).ConfigureAwait(false);
            }

            return null;
        }

        var mismatch = users.ErrorDescriber.PasswordMismatch().Code;
        if (!result.Errors.Any(e => e.Code == mismatch))
        {
            return IdentityApiProblems.From(result);
        }

        Log.IdentityApiPasswordChangeRefused(logger, userId, "wrong current password");
        if (users.SupportsUserLockout)
        {
            await users.AccessFailedAsync(user).ConfigureAwait(false);
            if (await users.IsLockedOutAsync(user).ConfigureAwait(false))
            {
                Log.IdentityApiUserLockedOut(logger, userId, "password change");
                return IdentityApiProblems.LockedOut();
            }
        }

        return IdentityApiProblems.From(result);
    }

    // The first key of a user who never had one: ResetAuthenticatorKeyAsync would rotate the stamp, and so log the caller
    // out before 2FA is even on, though no credential changed. Enabling 2FA, or resetting a key, still rotates it.
    private static async Task<string> ProvisionAuthenticatorKeyAsync(UserManager<TUser> users, IUserStore<TUser> store, TUser user)
    {
        if (store is not IUserAuthenticatorKeyStore<TUser> keys)
        {
            throw IdentityApiErrors.NoAuthenticatorKey();
        }

        await keys.SetAuthenticatorKeyAsync(user, users.GenerateNewAuthenticatorKey(), CancellationToken.None).ConfigureAwait(false);
        var saved = await users.UpdateAsync(user).ConfigureAwait(false);
        return saved.Succeeded && await users.GetAuthenticatorKeyAsync(user).ConfigureAwait(false) is { Length: > 0 } key
            ? key
            : throw IdentityApiErrors.NoAuthenticatorKey();
    }

    private static async Task<InfoResponse> InfoAsync(UserManager<TUser> users, TUser user) => new()
    {
        Email = await users.GetEmailAsync(user).ConfigureAwait(false) ?? throw IdentityApiErrors.NoUserEmail(),
        IsEmailConfirmed = await users.IsEmailConfirmedAsync(user).ConfigureAwait(false),
    };
}
