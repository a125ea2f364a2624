using System.Security.Claims;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using UserKeyedJwt.AspNetCore;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the administrator's session endpoints; a user's own are in <c>MapUserKeyedIdentityApi&lt;TUser&gt;()</c>.</summary>
public static class UserKeyedJwtSessionEndpointRouteBuilderExtensions
{
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
}
