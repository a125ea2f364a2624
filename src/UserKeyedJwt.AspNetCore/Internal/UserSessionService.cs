using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;

namespace UserKeyedJwt.AspNetCore.Internal;

/// <summary>Sessions for Identity users: the core's <see cref="UserKeyedSessions"/>, with Identity's store for claims.</summary>
internal sealed class UserSessionService<TUser>(
    UserManager<TUser> users,
    IUserStore<TUser> store,
    UserKeyedTokenIssuer issuer,
    IOptionsMonitor<UserKeyedIdentityOptions<TUser>> options,
    UserKeyedSessions sessions,
    ILogger<UserSessionService<TUser>> logger)
    : IUserSessionService<TUser>
    where TUser : class
{
    private readonly UserTokenService<TUser> _tokens = new(store, issuer, options);

    public async Task<SessionTokens> SignInAsync(TUser user, string? device = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(user);
        var (inputs, claims) = await _tokens.ReadAsync(user, cancellationToken).ConfigureAwait(false);
        return await sessions.StartAsync(inputs, claims, device, cancellationToken).ConfigureAwait(false);
    }

    public Task<RefreshResult> RefreshAsync(string refreshToken, CancellationToken cancellationToken = default) =>
        sessions.RefreshAsync(refreshToken, ClaimsAsync, cancellationToken);

    public async Task LogoutAsync(ClaimsPrincipal principal, CancellationToken cancellationToken = default)
    {
        var userId = UserId(principal);
        if (SessionId(principal) is { } sessionId)
        {
            await sessions.EndAsync(userId, sessionId, SessionEndReason.Logout, userId, cancellationToken).ConfigureAwait(false);
            return;
        }

        // A token issued without a session: the denylist holds it until it expires, or, if the user's entries are full,
        // every token of the user is revoked instead.
        if (principal.FindFirst(JwtRegisteredClaimNames.Jti)?.Value is { Length: > 0 } tokenId
            && long.TryParse(principal.FindFirst(JwtRegisteredClaimNames.Exp)?.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var exp)
            && await sessions.RevokeTokenAsync(userId, tokenId, DateTimeOffset.FromUnixTimeSeconds(Math.Min(exp, 253_402_300_799)), cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        if (await users.FindByIdAsync(userId).ConfigureAwait(false) is { } user)
        {
            await users.UpdateSecurityStampAsync(user).ConfigureAwait(false);
            Log.LogoutFellBackToRevokeAll(logger, userId);
        }
    }

    public Task<int> LogoutOthersAsync(ClaimsPrincipal principal, CancellationToken cancellationToken = default)
    {
        var userId = UserId(principal);
        return sessions.EndAllAsync(userId, SessionId(principal) ?? string.Empty, SessionEndReason.LogoutOthers, userId, cancellationToken);
    }

    public Task<int> LogoutAllAsync(ClaimsPrincipal principal, CancellationToken cancellationToken = default)
    {
        var userId = UserId(principal);
        return sessions.EndAllAsync(userId, null, SessionEndReason.LogoutAll, userId, cancellationToken);
    }

    public async Task<IReadOnlyList<UserSessionInfo>> ListAsync(ClaimsPrincipal principal, CancellationToken cancellationToken = default)
    {
        var current = SessionId(principal);
        var list = await sessions.ListAsync(UserId(principal), cancellationToken).ConfigureAwait(false);
        return [.. list.Select(s => Info(s, current))];
    }

    public Task<bool> EndAsync(ClaimsPrincipal principal, string sessionId, CancellationToken cancellationToken = default)
    {
        var userId = UserId(principal);
        return sessions.EndAsync(userId, sessionId, SessionEndReason.Ended, userId, cancellationToken);
    }

    public async Task<IReadOnlyList<UserSessionInfo>> ListForUserAsync(string userId, CancellationToken cancellationToken = default)
    {
        var list = await sessions.ListAsync(userId, cancellationToken).ConfigureAwait(false);
        return [.. list.Select(s => Info(s, null))];
    }

    public async Task<int> EndForUserAsync(string userId, string? sessionId, ClaimsPrincipal administrator, CancellationToken cancellationToken = default)
    {
        var endedBy = UserId(administrator);
        return sessionId is null
            ? await sessions.EndAllAsync(userId, null, SessionEndReason.Ended, endedBy, cancellationToken).ConfigureAwait(false)
            : await sessions.EndAsync(userId, sessionId, SessionEndReason.Ended, endedBy, cancellationToken).ConfigureAwait(false) ? 1 : 0;
    }

    // The access token's claims for the user whose key inputs the refreshed pair derives from; the claims are not key inputs.
    private async ValueTask<IEnumerable<Claim>> ClaimsAsync(UserKeyInputs inputs, CancellationToken cancellationToken) =>
        await users.FindByIdAsync(inputs.UserId).ConfigureAwait(false) is { } user
            ? (await _tokens.ReadAsync(user, cancellationToken).ConfigureAwait(false)).Claims
            : [];

    private static UserSessionInfo Info(UserKeyedSession session, string? current) =>
        new(session.Id, session.CreatedAt, session.LastRefreshedAt, session.Device, session.Id == current);

    private static string? SessionId(ClaimsPrincipal principal) =>
        principal.FindFirst(UserKeyedSession.SessionIdClaimType)?.Value is { Length: > 0 } sessionId ? sessionId : null;

    private static string UserId(ClaimsPrincipal principal)
    {
        ArgumentNullException.ThrowIfNull(principal);
        return principal.FindFirst(JwtRegisteredClaimNames.Sub)?.Value ?? principal.FindFirst(ClaimTypes.NameIdentifier)?.Value
            ?? throw new InvalidOperationException("The principal carries no user id (sub): call this for an authenticated UserKeyedJwt user only.");
    }
}
