using System.Security.Claims;

namespace UserKeyedJwt.AspNetCore;

/// <summary>
/// Sessions of ASP.NET Core Identity users: sign-in, refresh with rotation and reuse detection, the three logouts, and the
/// sessions list. Registered as a scoped service by <c>IdentityBuilder.AddUserKeyedJwt()</c>. Nothing here but a sign-in or
/// a refresh issues a token: an access token alone never obtains a refresh token.
/// </summary>
/// <typeparam name="TUser">The Identity user type.</typeparam>
public interface IUserSessionService<TUser>
    where TUser : class
{
    /// <summary>Starts a session for <paramref name="user"/>, who has just proved a credential: this method checks none.</summary>
    /// <param name="user">The user, as loaded by the current scope's user manager.</param>
    /// <param name="device">A short label of the device, such as its user agent.</param>
    /// <param name="cancellationToken">Cancels the store reads and writes.</param>
    Task<SessionTokens> SignInAsync(TUser user, string? device = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Redeems <paramref name="refreshToken"/>: the session's next pair, or why there is none (the token is not valid, its
    /// session has ended, the user's key inputs changed, or a store failed). A refresh token of an older generation ends its session.
    /// </summary>
    Task<RefreshResult> RefreshAsync(string refreshToken, CancellationToken cancellationToken = default);

    /// <summary>Ends the session of the authenticated <paramref name="principal"/>; a token without a session is put on the denylist.</summary>
    Task LogoutAsync(ClaimsPrincipal principal, CancellationToken cancellationToken = default);

    /// <summary>Ends every session of the authenticated user but the caller's own, which stays as it is.</summary>
    /// <returns>How many sessions it ended.</returns>
    Task<int> LogoutOthersAsync(ClaimsPrincipal principal, CancellationToken cancellationToken = default);

    /// <summary>Ends every session of the authenticated user, the caller's included.</summary>
    /// <returns>How many sessions it ended.</returns>
    Task<int> LogoutAllAsync(ClaimsPrincipal principal, CancellationToken cancellationToken = default);

    /// <summary>The sessions of the authenticated user, with the caller's own marked.</summary>
    Task<IReadOnlyList<UserSessionInfo>> ListAsync(ClaimsPrincipal principal, CancellationToken cancellationToken = default);

    /// <summary>Ends the authenticated user's session <paramref name="sessionId"/>.</summary>
    /// <returns>Whether it did: <see langword="false"/> when the user has no session with that id (another user's included).</returns>
    Task<bool> EndAsync(ClaimsPrincipal principal, string sessionId, CancellationToken cancellationToken = default);

    /// <summary>For an administrator: the sessions of user <paramref name="userId"/>.</summary>
    Task<IReadOnlyList<UserSessionInfo>> ListForUserAsync(string userId, CancellationToken cancellationToken = default);

    /// <summary>For an administrator: ends session <paramref name="sessionId"/> of user <paramref name="userId"/>, or all of them when it is <see langword="null"/>.</summary>
    /// <returns>How many sessions it ended.</returns>
    Task<int> EndForUserAsync(string userId, string? sessionId, ClaimsPrincipal administrator, CancellationToken cancellationToken = default);
}
