using Microsoft.Extensions.Logging;

namespace UserKeyedJwt.AspNetCore.Internal;

/// <summary>
/// Every log message of the ASP.NET Core integration. Event ids are unique, never reused, and distinct from the core's
/// (1001 and up). No message carries a token, a key, a server secret, a password hash or a security stamp.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 2001, EventName = "StoreUnavailableChallenge", Level = LogLevel.Warning, Message = "The user store was unavailable while checking a token; the challenge is answered with {StatusCode}.")]
    public static partial void StoreUnavailableChallenge(ILogger logger, int statusCode);

    [LoggerMessage(EventId = 2002, EventName = "PrefetchMissing", Level = LogLevel.Warning, Message = "A SecurityTokenValidator asked for a UserKeyedJwt signing key, but no prefetched key exists for this request: the resolver fails closed. With UseSecurityTokenValidators = true, set JwtBearerEvents.OnMessageReceived to UserKeyedJwtBearerPrefetch.OnMessageReceived.")]
    public static partial void PrefetchMissing(ILogger logger);

    [LoggerMessage(EventId = 2003, EventName = "SecurityStampRotated", Level = LogLevel.Debug, Message = "Security stamp of user {UserId} rotated after {Operation}; the user's earlier tokens are revoked.")]
    public static partial void SecurityStampRotated(ILogger logger, string userId, string operation);

    [LoggerMessage(EventId = 2004, EventName = "SecurityStampRotationFailed", Level = LogLevel.Error, Message = "{Operation} succeeded for user {UserId}, but rotating the security stamp failed ({ErrorCodes}); the user's earlier tokens stay valid until the next rotation.")]
    public static partial void SecurityStampRotationFailed(ILogger logger, string userId, string operation, string errorCodes);

    [LoggerMessage(EventId = 2005, EventName = "TokensRevoked", Level = LogLevel.Information, Message = "All tokens of user {UserId} revoked.")]
    public static partial void TokensRevoked(ILogger logger, string userId);

    [LoggerMessage(EventId = 2006, EventName = "ForeignKeyInputsSource", Level = LogLevel.Information, Message = "IUserKeyInputsSource is {SourceType}, registered before AddUserKeyedJwt() on the Identity builder; it stays in use, and Identity's store is not read for validation.")]
    public static partial void ForeignKeyInputsSource(ILogger logger, string sourceType);

    [LoggerMessage(EventId = 2009, EventName = "LogoutFellBackToRevokeAll", Level = LogLevel.Warning, Message = "A token of user {UserId} without a session could not be put on the denylist; every token of the user is revoked instead.")]
    public static partial void LogoutFellBackToRevokeAll(ILogger logger, string userId);

    [LoggerMessage(EventId = 2101, EventName = "IdentityApiSignInRefused", Level = LogLevel.Information, Message = "Identity API sign-in of user {UserId} refused: {Outcome}.")]
    public static partial void IdentityApiSignInRefused(ILogger logger, string userId, string outcome);

    [LoggerMessage(EventId = 2102, EventName = "IdentityApiSignInUnknownUser", Level = LogLevel.Debug, Message = "Identity API sign-in refused: no user has that user name.")]
    public static partial void IdentityApiSignInUnknownUser(ILogger logger);

    [LoggerMessage(EventId = 2103, EventName = "IdentityApiUserLockedOut", Level = LogLevel.Warning, Message = "User {UserId} is locked out after a failed {Attempt}; the user's sessions stay.")]
    public static partial void IdentityApiUserLockedOut(ILogger logger, string userId, string attempt);

    [LoggerMessage(EventId = 2104, EventName = "IdentityApiPasswordChangeRefused", Level = LogLevel.Information, Message = "Identity API password change of user {UserId} refused: {Reason}.")]
    public static partial void IdentityApiPasswordChangeRefused(ILogger logger, string userId, string reason);

    [LoggerMessage(EventId = 2201, EventName = "DefaultSchemeNotUserKeyed", Level = LogLevel.Warning, Message = "The default authenticate scheme is {DefaultScheme}, not the UserKeyedJwt scheme {Scheme}, and cannot forward to it: endpoints that name no scheme never validate bearer tokens with it. Call AddAuthentication(UserKeyedJwtDefaults.AuthenticationScheme) (after AddIdentity<,>(), set DefaultAuthenticateScheme and DefaultChallengeScheme), forward to it with AddPolicyScheme, or name it in the default authorization policy.")]
    public static partial void DefaultSchemeNotUserKeyed(ILogger logger, string defaultScheme, string scheme);

    [LoggerMessage(EventId = 2202, EventName = "BearerTokenNotAuthenticated", Level = LogLevel.Warning, Message = "A request to {Path} with a bearer token reached authorization, but no authentication handler ran for it, so it is treated as anonymous. Call app.UseAuthentication() before app.UseAuthorization(), and make {Scheme} the default authenticate scheme or name it on the endpoint. Logged once.")]
    public static partial void BearerTokenNotAuthenticated(ILogger logger, string path, string scheme);
}
