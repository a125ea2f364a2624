using System.Security.Claims;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using FromServicesAttribute = Microsoft.AspNetCore.Mvc.FromServicesAttribute;

namespace UserKeyedJwt.AspNetCore.IdentityApi;

// What MapIdentityApi lacks: ending sessions, and the caller's sessions list. They end sessions and mint nothing.
internal sealed partial class IdentityApiEndpoints<TUser>
{
    private static async Task<NoContent> LogoutAsync(ClaimsPrincipal principal, [FromServices] IUserSessionService<TUser> sessions, CancellationToken cancellationToken)
    {
        await sessions.LogoutAsync(principal, cancellationToken).ConfigureAwait(false);
        return TypedResults.NoContent();
    }

    private static async Task<NoContent> LogoutOthersAsync(ClaimsPrincipal principal, [FromServices] IUserSessionService<TUser> sessions, CancellationToken cancellationToken)
    {
        await sessions.LogoutOthersAsync(principal, cancellationToken).ConfigureAwait(false);
        return TypedResults.NoContent();
    }

    private static async Task<NoContent> LogoutAllAsync(ClaimsPrincipal principal, [FromServices] IUserSessionService<TUser> sessions, CancellationToken cancellationToken)
    {
        await sessions.LogoutAllAsync(principal, cancellationToken).ConfigureAwait(false);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<IReadOnlyList<UserSessionInfo>>> ListSessionsAsync(ClaimsPrincipal principal, [FromServices] IUserSessionService<TUser> sessions, CancellationToken cancellationToken) =>
        TypedResults.Ok(await sessions.ListAsync(principal, cancellationToken).ConfigureAwait(false));

    // 404 for another user's session as for an unknown one: the caller learns nothing about ids that are not theirs.
    private static async Task<Results<NoContent, NotFound>> EndSessionAsync(string id, ClaimsPrincipal principal, [FromServices] IUserSessionService<TUser> sessions, CancellationToken cancellationToken) =>
        await sessions.EndAsync(principal, id, cancellationToken).ConfigureAwait(false) ? TypedResults.NoContent() : TypedResults.NotFound();
}
