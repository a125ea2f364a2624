using System.Security.Claims;

namespace UserKeyedJwt.AspNetCore;

/// <summary>
/// Session life cycle for ASP.NET Core Identity users: sign-in, refresh with rotation and reuse detection, and the three
/// logouts. Registered as a scoped service by <c>IdentityBuilder.AddUserKeyedJwt()</c>; the endpoints of
/// <c>MapUserKeyedJwtSessionEndpoints</c> call it.
/// </summary>
/// <typeparam name="TUser">The Identity user type.</typeparam>
public interface IUserSessionService<TUser>
    where TUser : class
{
    /// <summary>Starts a session for <paramref name="user"/>, who has just proved a credential: this method checks none.</summary>
    Task<SessionTokens> SignInAsync(TUser user, CancellationToken cancellationToken = default);

    /// <summary>
    /// Redeems <paramref name="refreshToken"/> and returns the session's next pair, or <see langword="null"/> when the token is
    /// not valid, the session is over, or the user is gone or locked out. A consumed token presented again revokes every
    /// token of its user (security stamp rotation) and returns <see langword="null"/>.
    /// </summary>
    Task<SessionTokens?> RefreshAsync(string refreshToken, CancellationToken cancellationToken = default);

    /// <summary>
    /// Ends the session of the authenticated <paramref name="principal"/>: its access and refresh tokens are revoked; the
    /// user's other sessions stay. If the revocation store fails, every token of the user is revoked instead.
    /// </summary>
    Task LogoutAsync(ClaimsPrincipal principal, CancellationToken cancellationToken = default);

    /// <summary>Revokes every token of the authenticated user, by rotating the security stamp.</summary>
    Task LogoutAllAsync(ClaimsPrincipal principal, CancellationToken cancellationToken = default);

    /// <summary>
    /// Revokes every token of the authenticated user (security stamp rotation) and returns a fresh pair for the caller's
    /// session, which keeps its id and sign-in time; <see langword="null"/> when the user is gone or the session is past its
    /// absolute lifetime.
    /// </summary>
    Task<SessionTokens?> LogoutOthersAsync(ClaimsPrincipal principal, CancellationToken cancellationToken = default);
}
