using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.Data;
using FromBodyAttribute = Microsoft.AspNetCore.Mvc.FromBodyAttribute;
using FromQueryAttribute = Microsoft.AspNetCore.Mvc.FromQueryAttribute;
using FromServicesAttribute = Microsoft.AspNetCore.Mvc.FromServicesAttribute;

namespace UserKeyedJwt.AspNetCore.IdentityApi;

// Login and refresh: the only two routes that issue tokens, and refresh only for a refresh token.
internal sealed partial class IdentityApiEndpoints<TUser>
{
    private async Task<Results<Ok<AccessTokenResponse>, ProblemHttpResult>> LoginAsync(
        [FromBody] LoginRequest login,
        [FromQuery] bool? useCookies,
        [FromQuery] bool? useSessionCookies,
        HttpContext context,
        [FromServices] UserManager<TUser> users,
        [FromServices] IUserSessionService<TUser> sessions,
        [FromServices] IServiceProvider services)
    {
        // A cookie would be a second credential that no session ends; refuse rather than silently answer with tokens.
        if (useCookies == true || useSessionCookies == true)
        {
            var parameter = useCookies == true ? "useCookies" : "useSessionCookies";
            return TypedResults.Problem(
                title: "Cookies are not supported.",
                detail: $"The {parameter} query parameter is not supported: this API issues bearer tokens only. Log in without it and send the access token as 'Authorization: Bearer'.",
                statusCode: StatusCodes.Status400BadRequest);
        }

        var confirmation = services.GetService(typeof(IUserConfirmation<TUser>)) as IUserConfirmation<TUser> ?? new DefaultUserConfirmation<TUser>();
        var (result, user) = await new PasswordSignIn<TUser>(users, confirmation, _unknownUser, logger).SignInAsync(login).ConfigureAwait(false);
        if (user is null)
        {
            return TypedResults.Problem(result.ToString(), statusCode: StatusCodes.Status401Unauthorized);
        }

        var tokens = await sessions.SignInAsync(user, context.Request.Headers.UserAgent.ToString(), context.RequestAborted).ConfigureAwait(false);
        return TypedResults.Ok(tokens.ToAccessTokenResponse());
    }

    private static async Task<Results<Ok<AccessTokenResponse>, ChallengeHttpResult, ProblemHttpResult>> RefreshAsync(
        [FromBody] RefreshRequest refreshRequest,
        [FromServices] IUserSessionService<TUser> sessions,
        CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(refreshRequest.RefreshToken))
        {
            return TypedResults.Challenge();
        }

        // Rotation: the pair comes from the session's next generation; a spent refresh token presented again ends the session.
        var result = await sessions.RefreshAsync(refreshRequest.RefreshToken, cancellationToken).ConfigureAwait(false);
        if (result.Tokens is { } tokens)
        {
            return TypedResults.Ok(tokens.ToAccessTokenResponse());
        }

        // An outage is not the client's fault: it keeps its refresh token and tries again, rather than signing in again.
        return result.FailureReason == TokenFailureReason.StoreUnavailable
            ? TypedResults.Problem(title: "The session store is unavailable.", detail: "Try again later with the same refresh token.", statusCode: StatusCodes.Status503ServiceUnavailable)
            : TypedResults.Challenge();
    }
}
