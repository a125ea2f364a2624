using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;

namespace UserKeyedJwt.AspNetCore.Internal;

/// <summary>Sessions for Identity users: the core's <see cref="UserKeyedSessions"/>, with the user manager for stamp rotation.</summary>
internal sealed class UserSessionService<TUser>(
    UserManager<TUser> users,
    IUserStore<TUser> store,
    UserKeyedTokenIssuer issuer,
    IOptionsMonitor<UserKeyedIdentityOptions<TUser>> options,
    UserKeyedSessions sessions,
    IUserKeyCache keyCache,
    ILogger<UserSessionService<TUser>> logger)
    : IUserSessionService<TUser>
    where TUser : class
{
    private readonly UserTokenService<TUser> _tokens = new(store, issuer, options);

    public async Task<SessionTokens> SignInAsync(TUser user, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(user);
        var (inputs, claims) = await _tokens.ReadAsync(user, cancellationToken).ConfigureAwait(false);
        return sessions.Start(inputs, claims);
    }

    public async Task<SessionTokens?> RefreshAsync(string refreshToken, CancellationToken cancellationToken = default)
    {
        var redemption = await sessions.RedeemAsync(refreshToken, cancellationToken).ConfigureAwait(false);
        if (redemption.Status == RefreshRedemptionStatus.Rejected)
        {
            return null;
        }

        var session = redemption.Session!;
        var user = await users.FindByIdAsync(session.UserId).ConfigureAwait(false);
        if (user is null)
        {
            return null;
        }

        if (redemption.Status == RefreshRedemptionStatus.Reused)
        {
            // OAuth 2.0 Security BCP (RFC 9700 §4.14.2): a reused refresh token means one of two parties holds a stolen
            // token, and the server cannot tell which: revoke everything.
            var result = await RevokeAllAsync(user).ConfigureAwait(false);
            if (result.Succeeded)
            {
                Log.RefreshTokenReuseRevokedUser(logger, session.UserId);
            }
            else
            {
                Log.RefreshTokenReuseRevocationFailed(logger, session.UserId, string.Join(',', result.Errors.Select(e => e.Code)));
            }

            return null;
        }

        if (await users.IsLockedOutAsync(user).ConfigureAwait(false))
        {
            return null;
        }

        return await ContinueAsync(user, session, cancellationToken).ConfigureAwait(false);
    }

    public async Task LogoutAsync(ClaimsPrincipal principal, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(principal);
        var userId = UserId(principal);
        try
        {
            if (UserKeyedSession.TryRead(principal, out var session))
            {
                await sessions.EndAsync(session, cancellationToken).ConfigureAwait(false);
            }
            else if (principal.FindFirst(JwtRegisteredClaimNames.Jti)?.Value is { Length: > 0 } tokenId
                && long.TryParse(principal.FindFirst(JwtRegisteredClaimNames.Exp)?.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var exp))
            {
                // A token issued without a session: revoke just this token.
                await sessions.RevokeTokenAsync(tokenId, DateTimeOffset.FromUnixTimeSeconds(Math.Min(exp, 253_402_300_799)), cancellationToken).ConfigureAwait(false);
            }

            Log.SessionsLoggedOut(logger, userId, "this session");
        }
#pragma warning disable CA1031 // A logout must never leave the session alive: revoking everything needs no revocation store.
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
#pragma warning restore CA1031
        {
            Log.LogoutFellBackToRevokeAll(logger, userId, ex.GetType().FullName ?? ex.GetType().Name);
            if (await users.FindByIdAsync(userId).ConfigureAwait(false) is { } user)
            {
                await RevokeAllAsync(user).ConfigureAwait(false);
            }
        }
    }

    public async Task LogoutAllAsync(ClaimsPrincipal principal, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(principal);
        var userId = UserId(principal);
        if (await users.FindByIdAsync(userId).ConfigureAwait(false) is { } user)
        {
            await RevokeAllAsync(user).ConfigureAwait(false);
            Log.SessionsLoggedOut(logger, userId, "everywhere");
        }
    }

    public async Task<SessionTokens?> LogoutOthersAsync(ClaimsPrincipal principal, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(principal);
        var userId = UserId(principal);
        if (await users.FindByIdAsync(userId).ConfigureAwait(false) is not { } user)
        {
            return null;
        }

        // Rotating the stamp kills every token of the user, the caller's included; the caller's session then continues
        // under the new stamp with the same sid and sign-in time, so its absolute lifetime is not extended.
        var result = await RevokeAllAsync(user).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            return null;
        }

        Log.SessionsLoggedOut(logger, userId, "everywhere else");
        if (UserKeyedSession.TryRead(principal, out var session))
        {
            return await ContinueAsync(user, session, cancellationToken).ConfigureAwait(false);
        }

        return await SignInAsync(user, cancellationToken).ConfigureAwait(false);
    }

    private async Task<SessionTokens?> ContinueAsync(TUser user, UserKeyedSession session, CancellationToken cancellationToken)
    {
        var (inputs, claims) = await _tokens.ReadAsync(user, cancellationToken).ConfigureAwait(false);
        return string.Equals(inputs.UserId, session.UserId, StringComparison.Ordinal) ? sessions.Continue(inputs, session, claims) : null;
    }

    private async Task<IdentityResult> RevokeAllAsync(TUser user)
    {
        if (users is UserKeyedUserManager<TUser> keyed)
        {
            return await keyed.RevokeAllTokensAsync(user).ConfigureAwait(false);
        }

        var result = await users.UpdateSecurityStampAsync(user).ConfigureAwait(false);
        keyCache.Invalidate(await users.GetUserIdAsync(user).ConfigureAwait(false));
        return result;
    }

    private static string UserId(ClaimsPrincipal principal) =>
        principal.FindFirst(JwtRegisteredClaimNames.Sub)?.Value ?? principal.FindFirst(ClaimTypes.NameIdentifier)?.Value
        ?? throw new InvalidOperationException("The principal carries no user id (sub): call this for an authenticated UserKeyedJwt user only.");
}
