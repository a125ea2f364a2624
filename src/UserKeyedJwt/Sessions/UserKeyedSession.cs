using System.Globalization;
using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;

namespace UserKeyedJwt;

/// <summary>
/// A session: what the <c>sub</c>, <c>sid</c> and <c>auth_time</c> claims of its access and refresh tokens say. Every token
/// issued through <see cref="UserKeyedSessions"/> carries them.
/// </summary>
public sealed class UserKeyedSession
{
    /// <summary>The claim type of the session id.</summary>
    public const string SessionIdClaimType = "sid";

    /// <summary>The claim type of the sign-in time (seconds since the Unix epoch, OpenID Connect's <c>auth_time</c>).</summary>
    public const string AuthenticatedAtClaimType = "auth_time";

    /// <summary>Describes a session.</summary>
    public UserKeyedSession(string userId, string sessionId, DateTimeOffset authenticatedAt)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        ArgumentException.ThrowIfNullOrEmpty(sessionId);
        UserId = userId;
        SessionId = sessionId;
        AuthenticatedAt = authenticatedAt;
    }

    /// <summary>The user (<c>sub</c>).</summary>
    public string UserId { get; }

    /// <summary>The session id (<c>sid</c>): random, not a secret.</summary>
    public string SessionId { get; }

    /// <summary>When the user signed in (<c>auth_time</c>); the absolute session lifetime counts from here.</summary>
    public DateTimeOffset AuthenticatedAt { get; }

    /// <summary>Reads the session of an authenticated principal, as JwtBearer builds it from a validated access token.</summary>
    /// <returns><see langword="false"/> when the principal carries no complete session (a token issued without a session).</returns>
    public static bool TryRead(ClaimsPrincipal principal, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out UserKeyedSession? session)
    {
        ArgumentNullException.ThrowIfNull(principal);
        session = null;
        var userId = principal.FindFirst(Microsoft.IdentityModel.JsonWebTokens.JwtRegisteredClaimNames.Sub)?.Value
            ?? principal.FindFirst(ClaimTypes.NameIdentifier)?.Value;
        var sessionId = principal.FindFirst(SessionIdClaimType)?.Value;
        var authTime = principal.FindFirst(AuthenticatedAtClaimType)?.Value;
        if (string.IsNullOrEmpty(userId) || string.IsNullOrEmpty(sessionId)
            || !long.TryParse(authTime, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds > 253_402_300_799)
        {
            return false;
        }

        session = new UserKeyedSession(userId, sessionId, DateTimeOffset.FromUnixTimeSeconds(seconds));
        return true;
    }

    /// <inheritdoc />
    public override string ToString() => $"UserKeyedSession(UserId = {UserId}, SessionId = {SessionId})";

    internal static UserKeyedSession? From(JsonWebToken token)
    {
        if (string.IsNullOrEmpty(token.Subject)
            || !token.TryGetPayloadValue<string>(SessionIdClaimType, out var sessionId) || string.IsNullOrEmpty(sessionId)
            || !token.TryGetPayloadValue<long>(AuthenticatedAtClaimType, out var seconds) || seconds < 0 || seconds > 253_402_300_799)
        {
            return null;
        }

        return new UserKeyedSession(token.Subject, sessionId, DateTimeOffset.FromUnixTimeSeconds(seconds));
    }
}
