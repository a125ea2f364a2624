using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using UserKeyedJwt.AspNetCore;
using UserKeyedJwt.AspNetCore.Sessions;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the session endpoints: refresh and the three logouts.</summary>
public static class UserKeyedJwtSessionEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps, under <paramref name="prefix"/>, with JSON bodies:
    /// <list type="bullet">
    /// <item><c>POST refresh</c> <c>{"refreshToken"}</c>: 200 with a new pair <c>{"accessToken","expiresIn","tokenType","refreshToken","refreshExpiresIn"}</c>;
    /// 401 when the token is expired, revoked, reused or of the wrong purpose; 400 without a token.</item>
    /// <item><c>POST logout</c>: 204; the caller's session is revoked, other sessions stay.</item>
    /// <item><c>POST logout-all</c>: 204; every token of the user is revoked (security stamp rotation).</item>
    /// <item><c>POST logout-others</c>: 200 with a fresh pair for the caller; every other session is revoked.</item>
    /// </list>
    /// The logouts require an authenticated user (the default authorization policy). Sign-in stays the application's:
    /// check the credential, then call <see cref="IUserSessionService{TUser}.SignInAsync"/>.
    /// </summary>
    /// <returns>The route group, for further conventions (rate limiting, CORS...).</returns>
    public static RouteGroupBuilder MapUserKeyedJwtSessionEndpoints<TUser>(this IEndpointRouteBuilder endpoints, string prefix = "/auth")
        where TUser : class
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(prefix);
        var group = endpoints.MapGroup(prefix);
        group.MapPost("/refresh", RefreshAsync<TUser>).AllowAnonymous();
        group.MapPost("/logout", LogoutAsync<TUser>).RequireAuthorization();
        group.MapPost("/logout-all", LogoutAllAsync<TUser>).RequireAuthorization();
        group.MapPost("/logout-others", LogoutOthersAsync<TUser>).RequireAuthorization();
        return group;
    }

    private static async Task<Results<Ok<TokenPairResponse>, ProblemHttpResult>> RefreshAsync<TUser>(RefreshRequest? request, IUserSessionService<TUser> sessions, CancellationToken cancellationToken)
        where TUser : class
    {
        if (string.IsNullOrEmpty(request?.RefreshToken))
        {
            return TypedResults.Problem(title: "The refreshToken field is required.", statusCode: StatusCodes.Status400BadRequest);
        }

        var tokens = await sessions.RefreshAsync(request.RefreshToken, cancellationToken).ConfigureAwait(false);
        return tokens is null
            ? TypedResults.Problem(title: "The refresh token is not valid. Sign in again.", statusCode: StatusCodes.Status401Unauthorized)
            : TypedResults.Ok(TokenPairResponse.From(tokens));
    }

    private static async Task<NoContent> LogoutAsync<TUser>(HttpContext context, IUserSessionService<TUser> sessions)
        where TUser : class
    {
        await sessions.LogoutAsync(context.User, context.RequestAborted).ConfigureAwait(false);
        return TypedResults.NoContent();
    }

    private static async Task<NoContent> LogoutAllAsync<TUser>(HttpContext context, IUserSessionService<TUser> sessions)
        where TUser : class
    {
        await sessions.LogoutAllAsync(context.User, context.RequestAborted).ConfigureAwait(false);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<TokenPairResponse>, ProblemHttpResult>> LogoutOthersAsync<TUser>(HttpContext context, IUserSessionService<TUser> sessions)
        where TUser : class
    {
        var tokens = await sessions.LogoutOthersAsync(context.User, context.RequestAborted).ConfigureAwait(false);
        return tokens is null
            ? TypedResults.Problem(title: "The session is over. Sign in again.", statusCode: StatusCodes.Status401Unauthorized)
            : TypedResults.Ok(TokenPairResponse.From(tokens));
    }
}
