using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.Data;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.WebUtilities;
using FromBodyAttribute = Microsoft.AspNetCore.Mvc.FromBodyAttribute;
using FromQueryAttribute = Microsoft.AspNetCore.Mvc.FromQueryAttribute;
using FromServicesAttribute = Microsoft.AspNetCore.Mvc.FromServicesAttribute;

namespace UserKeyedJwt.AspNetCore.IdentityApi;

// Registration, email confirmation and the password reset: MapIdentityApi's contract, with the password length bound.
internal sealed partial class IdentityApiEndpoints<TUser>
{
    private async Task<Results<Ok, ValidationProblem>> RegisterAsync(
        [FromBody] RegisterRequest registration,
        HttpContext context,
        [FromServices] UserManager<TUser> users,
        [FromServices] IUserStore<TUser> store,
        [FromServices] IEmailSender<TUser> emailSender,
        [FromServices] LinkGenerator links)
    {
        if (!users.SupportsUserEmail || store is not IUserEmailStore<TUser> emailStore)
        {
            throw IdentityApiErrors.NoEmailStore(store.GetType());
        }

        var email = registration.Email;
        if (string.IsNullOrEmpty(email) || !EmailAddress.IsValid(email))
        {
            return IdentityApiProblems.From(IdentityResult.Failed(users.ErrorDescriber.InvalidEmail(email)));
        }

        if (IdentityApiProblems.IsTooLong(registration.Password))
        {
            return IdentityApiProblems.PasswordTooLong();
        }

        var user = new TUser();
        await store.SetUserNameAsync(user, email, context.RequestAborted).ConfigureAwait(false);
        await emailStore.SetEmailAsync(user, email, context.RequestAborted).ConfigureAwait(false);
        var result = await users.CreateAsync(user, registration.Password).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            return IdentityApiProblems.From(result);
        }

        await SendConfirmationEmailAsync(user, email, isChange: false, context, users, emailSender, links).ConfigureAwait(false);
        return TypedResults.Ok();
    }

    private static async Task<Results<ContentHttpResult, UnauthorizedHttpResult>> ConfirmEmailAsync(
        [FromQuery] string userId,
        [FromQuery] string code,
        [FromQuery] string? changedEmail,
        [FromServices] UserManager<TUser> users)
    {
        // 401 rather than 404 for an unknown user, as MapIdentityApi: which ids exist is none of the caller's business.
        if (await users.FindByIdAsync(userId).ConfigureAwait(false) is not { } user || Decode(code) is not { } token)
        {
            return TypedResults.Unauthorized();
        }

        IdentityResult result;
        if (string.IsNullOrEmpty(changedEmail))
        {
            result = await users.ConfirmEmailAsync(user, token).ConfigureAwait(false);
        }
        else if (await users.FindByNameAsync(changedEmail).ConfigureAwait(false) is not null)
        {
            // Another account's user name: the user name could not follow, and the email must not change without it.
            return TypedResults.Unauthorized();
        }
        else
        {
            // The user name is the email; both changes rotate the stamp, so the user's earlier tokens die here.
            result = await users.ChangeEmailAsync(user, changedEmail, token).ConfigureAwait(false);
            if (result.Succeeded)
            {
                result = await users.SetUserNameAsync(user, changedEmail).ConfigureAwait(false);
            }
        }

        return result.Succeeded ? TypedResults.Text("Thank you for confirming your email.") : TypedResults.Unauthorized();
    }

    private async Task<Ok> ResendConfirmationEmailAsync(
        [FromBody] ResendConfirmationEmailRequest resendRequest,
        HttpContext context,
        [FromServices] UserManager<TUser> users,
        [FromServices] IEmailSender<TUser> emailSender,
        [FromServices] LinkGenerator links)
    {
        // 200 whether or not the address has an account, so the answer does not tell.
        if (!string.IsNullOrEmpty(resendRequest.Email) && await users.FindByEmailAsync(resendRequest.Email).ConfigureAwait(false) is { } user)
        {
            await SendConfirmationEmailAsync(user, resendRequest.Email, isChange: false, context, users, emailSender, links).ConfigureAwait(false);
        }

        return TypedResults.Ok();
    }

    private static async Task<Ok> ForgotPasswordAsync(
        [FromBody] ForgotPasswordRequest resetRequest,
        [FromServices] UserManager<TUser> users,
        [FromServices] IEmailSender<TUser> emailSender)
    {
        if (!string.IsNullOrEmpty(resetRequest.Email)
            && await users.FindByEmailAsync(resetRequest.Email).ConfigureAwait(false) is { } user
            && await users.IsEmailConfirmedAsync(user).ConfigureAwait(false))
        {
            var code = Encode(await users.GeneratePasswordResetTokenAsync(user).ConfigureAwait(false));
            await emailSender.SendPasswordResetCodeAsync(user, resetRequest.Email, HtmlEncoder.Default.Encode(code)).ConfigureAwait(false);
        }

        // 200 for every email, an unknown or unconfirmed one included, so the answer does not reveal accounts.
        return TypedResults.Ok();
    }

    private static async Task<Results<Ok, ValidationProblem>> ResetPasswordAsync(
        [FromBody] ResetPasswordRequest resetRequest,
        [FromServices] UserManager<TUser> users)
    {
        // Before the lookup: the answer depends on the request alone, and no hash is spent on it.
        if (IdentityApiProblems.IsTooLong(resetRequest.NewPassword))
        {
            return IdentityApiProblems.PasswordTooLong();
        }

        // An unknown or unconfirmed email gets the answer a wrong code gets, so it reveals no account.
        if (string.IsNullOrEmpty(resetRequest.Email)
            || await users.FindByEmailAsync(resetRequest.Email).ConfigureAwait(false) is not { } user
            || !await users.IsEmailConfirmedAsync(user).ConfigureAwait(false)
            || Decode(resetRequest.ResetCode) is not { } code)
        {
            return IdentityApiProblems.From(IdentityResult.Failed(users.ErrorDescriber.InvalidToken()));
        }

        // A new password hash and a new stamp: every earlier token of the user dies on its next request.
        var result = await users.ResetPasswordAsync(user, code, resetRequest.NewPassword).ConfigureAwait(false);
        return result.Succeeded ? TypedResults.Ok() : IdentityApiProblems.From(result);
    }

    private async Task SendConfirmationEmailAsync(TUser user, string email, bool isChange, HttpContext context, UserManager<TUser> users, IEmailSender<TUser> emailSender, LinkGenerator links)
    {
        var endpointName = _confirmEmailEndpointName ?? throw IdentityApiErrors.NoConfirmEmailLink("(not built)");
        var code = isChange
            ? await users.GenerateChangeEmailTokenAsync(user, email).ConfigureAwait(false)
            : await users.GenerateEmailConfirmationTokenAsync(user).ConfigureAwait(false);
        var routeValues = new RouteValueDictionary
        {
            ["userId"] = await users.GetUserIdAsync(user).ConfigureAwait(false),
            ["code"] = Encode(code),
        };
        if (isChange)
        {
            routeValues["changedEmail"] = email;
        }

        var link = links.GetUriByName(context, endpointName, routeValues) ?? throw IdentityApiErrors.NoConfirmEmailLink(endpointName);
        await emailSender.SendConfirmationLinkAsync(user, email, HtmlEncoder.Default.Encode(link)).ConfigureAwait(false);
    }

    private static string Encode(string code) => WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes(code));

    private static string? Decode(string? code)
    {
        if (string.IsNullOrEmpty(code))
        {
            return null;
        }

        try
        {
            return Encoding.UTF8.GetString(WebEncoders.Base64UrlDecode(code));
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
