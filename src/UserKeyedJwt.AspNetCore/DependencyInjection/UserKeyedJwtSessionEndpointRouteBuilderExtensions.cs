using System.Security.Claims;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using UserKeyedJwt;
using UserKeyedJwt.AspNetCore;
using UserKeyedJwt.AspNetCore.Sessions;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the session endpoints: refresh, the three logouts, and the sessions list.</summary>
public static class UserKeyedJwtSessionEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps, under <paramref name="prefix"/>, with JSON bodies:
    /// <list type="bullet">
    /// <item><c>POST refresh</c> <c>{"refreshToken"}</c>: 200 with the session's next pair
    /// <c>{"accessToken","expiresIn","tokenType","refreshToken","refreshExpiresIn"}</c>; 401 when the token is expired, of an
    /// ended session, reused or of the wrong purpose; 503 when a store failed; 400 without a token.</item>
    /// <item><c>POST logout</c>: 204; the caller's session ends, the user's others stay.</item>
    /// <item><c>POST logout-others</c>: 204; every other session of the user ends, the caller's stays as it is.</item>
    /// <item><c>POST logout-all</c>: 204; every session of the user ends.</item>
    /// <item><c>GET sessions</c>: 200 with the caller's sessions <c>[{"id","createdAt","lastUsedAt","device","current"}]</c>.</item>
    /// <item><c>DELETE sessions/{id}</c>: 204 when the caller had that session, 404 otherwise (another user's included).</item>
    /// </list>
    /// Only refresh issues tokens, and only for a refresh token. The others require an authenticated user (the default
    /// authorization policy). Sign-in stays the application's: check the credential, then call
    /// <see cref="IUserSessionService{TUser}.SignInAsync"/>.
    /// </summary>
    /// <returns>The route group, for further conventions (rate limiting, CORS...).</returns>
    public static RouteGroupBuilder MapUserKeyedJwtSessionEndpoints<TUser>(this IEndpointRouteBuilder endpoints, string prefix = "/auth")
        where TUser : class
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(prefix);
        var group = endpoints.MapGroup(prefix);
        group.MapPost("/refresh", RefreshAsync<TUser>).AllowAnonymous();
        group.MapPost("/logout", static async (HttpContext context, IUserSessionService<TUser> sessions) =>
        {
            await sessions.LogoutAsync(context.User, context.RequestAborted).ConfigureAwait(false);
            return TypedResults.NoContent();
        }).RequireAuthorization();
        group.MapPost("/logout-others", static async (HttpContext context, IUserSessionService<TUser> sessions) =>
        {
            await sessions.LogoutOthersAsync(context.User, context.RequestAborted).ConfigureAwait(false);
            return TypedResults.NoContent();
        }).RequireAuthorization();
        group.MapPost("/logout-all", static async (HttpContext context, IUserSessionService<TUser> sessions) =>
        {
            await sessions.LogoutAllAsync(context.User, context.RequestAborted).ConfigureAwait(false);
            return TypedResults.NoContent();
        }).RequireAuthorization();
        group.MapGet("/sessions", static (HttpContext context, IUserSessionService<TUser> sessions) => sessions.ListAsync(context.User, context.RequestAborted)).RequireAuthorization();
        group.MapDelete("/sessions/{id}", EndAsync<TUser>).RequireAuthorization();
        return group;
    }

    /// <summary>
    /// Maps, under <paramref name="prefix"/>, the sessions of any user for administrators: <c>GET {userId}/sessions</c> (200
    /// with the list), <c>DELETE {userId}/sessions/{id}</c> (204, or 404) and <c>DELETE {userId}/sessions</c> (204, every
    /// session of the user). The group carries no authorization of its own: add the application's administrator policy.
    /// </summary>
    /// <example><code>app.MapUserKeyedJwtSessionAdminEndpoints&lt;AppUser&gt;("/admin/users").RequireAuthorization("admin");</code></example>
    public static RouteGroupBuilder MapUserKeyedJwtSessionAdminEndpoints<TUser>(this IEndpointRouteBuilder endpoints, string prefix)
        where TUser : class
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(prefix);
        var group = endpoints.MapGroup(prefix);
        group.MapGet("/{userId}/sessions", static (string userId, IUserSessionService<TUser> sessions, CancellationToken ct) => sessions.ListForUserAsync(userId, ct));
        group.MapDelete("/{userId}/sessions/{id}", static async Task<Results<NoContent, NotFound>> (string userId, string id, ClaimsPrincipal admin, IUserSessionService<TUser> sessions, CancellationToken ct) =>
            await sessions.EndForUserAsync(userId, id, admin, ct).ConfigureAwait(false) > 0 ? TypedResults.NoContent() : TypedResults.NotFound());
        group.MapDelete("/{userId}/sessions", static async (string userId, ClaimsPrincipal admin, IUserSessionService<TUser> sessions, CancellationToken ct) =>
        {
            await sessions.EndForUserAsync(userId, null, admin, ct).ConfigureAwait(false);
            return TypedResults.NoContent();
        });
        return group;
    }

    private static async Task<Results<Ok<TokenPairResponse>, ProblemHttpResult>> RefreshAsync<TUser>(RefreshRequest? request, IUserSessionService<TUser> sessions, CancellationToken cancellationToken)
        where TUser : class
    {
        if (string.IsNullOrEmpty(request?.RefreshToken))
        {
            return TypedResults.Problem(title: "The refreshToken field is required.", statusCode: StatusCodes.Status400BadRequest);
        }

        var result = await sessions.RefreshAsync(request.RefreshToken, cancellationToken).ConfigureAwait(false);
        if (result.Tokens is { } tokens)
        {
            return TypedResults.Ok(TokenPairResponse.From(tokens));
        }

        // An outage is not the client's fault: it keeps its refresh token and tries again, rather than signing in again.
        return result.FailureReason == TokenFailureReason.StoreUnavailable
            ? TypedResults.Problem(title: "The session store is unavailable. Try again later.", statusCode: StatusCodes.Status503ServiceUnavailable)
            : TypedResults.Problem(title: "The refresh token is not valid. Sign in again.", statusCode: StatusCodes.Status401Unauthorized);
    }

    private static async Task<Results<NoContent, NotFound>> EndAsync<TUser>(string id, HttpContext context, IUserSessionService<TUser> sessions)
        where TUser : class =>
        await sessions.EndAsync(context.User, id, context.RequestAborted).ConfigureAwait(false) ? TypedResults.NoContent() : TypedResults.NotFound();
}
