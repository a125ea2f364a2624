using Microsoft.Extensions.Logging;

namespace UserKeyedJwt;

/// <summary>
/// Every log message of the core. Event ids are unique and never reused. No message ever carries a token, a key,
/// a server secret, a password hash or a security stamp: only user ids, secret ids, reasons and counts.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1001, EventName = "TokenValidated", Level = LogLevel.Debug, Message = "Token validated for user {UserId} ({Purpose}).")]
    public static partial void TokenValidated(ILogger logger, string userId, TokenPurpose purpose);

    /// <summary>Logs a rejection, naming the user only when the token got far enough for its subject to mean something.</summary>
    public static void TokenRejected(ILogger logger, string? userId, TokenPurpose purpose, TokenFailureReason reason)
    {
        if (userId is null)
        {
            TokenRejected(logger, purpose, reason);
        }
        else
        {
            TokenRejectedForUser(logger, userId, purpose, reason);
        }
    }

    [LoggerMessage(EventId = 1002, EventName = "TokenRejected", Level = LogLevel.Information, Message = "Token rejected ({Purpose}): {Reason}.")]
    public static partial void TokenRejected(ILogger logger, TokenPurpose purpose, TokenFailureReason reason);

    [LoggerMessage(EventId = 1003, EventName = "TokenRejectedForUser", Level = LogLevel.Information, Message = "Token rejected for user {UserId} ({Purpose}): {Reason}.")]
    public static partial void TokenRejectedForUser(ILogger logger, string userId, TokenPurpose purpose, TokenFailureReason reason);

    [LoggerMessage(EventId = 1004, EventName = "UserStoreFailed", Level = LogLevel.Error, Message = "The {Store} store failed for user {UserId}; the token is rejected ({ExceptionType}).")]
    public static partial void UserStoreFailed(ILogger logger, string userId, string store, string exceptionType);

    [LoggerMessage(EventId = 1005, EventName = "UserStoreTimedOut", Level = LogLevel.Error, Message = "The {Store} store did not answer for user {UserId} within {Timeout}; the token is rejected.")]
    public static partial void UserStoreTimedOut(ILogger logger, string userId, string store, TimeSpan timeout);

    [LoggerMessage(EventId = 1006, EventName = "UnknownServerSecret", Level = LogLevel.Debug, Message = "Token names server secret {SecretId}, which is not in the ring.")]
    public static partial void UnknownServerSecret(ILogger logger, string secretId);

    [LoggerMessage(EventId = 1007, EventName = "TokenIssued", Level = LogLevel.Debug, Message = "Issued a {Purpose} token for user {UserId} under server secret {SecretId}, expiring at {ExpiresAt:O}.")]
    public static partial void TokenIssued(ILogger logger, TokenPurpose purpose, string userId, string secretId, DateTimeOffset expiresAt);

    [LoggerMessage(EventId = 1008, EventName = "KeyCacheInvalidated", Level = LogLevel.Debug, Message = "Cached keys of user {UserId} dropped ({Source} invalidation).")]
    public static partial void KeyCacheInvalidated(ILogger logger, string userId, string source);

    [LoggerMessage(EventId = 1009, EventName = "ServerSecretRingReloaded", Level = LogLevel.Information, Message = "Server secret ring reloaded: {Count} secrets, active {ActiveSecretId}.")]
    public static partial void ServerSecretRingReloaded(ILogger logger, int count, string activeSecretId);

    [LoggerMessage(EventId = 1010, EventName = "ServerSecretRingReloadFailed", Level = LogLevel.Error, Message = "Reloaded options are not valid; the previous server secret ring stays in force. {Problems}")]
    public static partial void ServerSecretRingReloadFailed(ILogger logger, string problems);

    [LoggerMessage(EventId = 1011, EventName = "SourceReturnedOtherUser", Level = LogLevel.Error, Message = "The key inputs source answered a lookup for user {UserId} with another user's inputs; the token is rejected.")]
    public static partial void SourceReturnedOtherUser(ILogger logger, string userId);


    [LoggerMessage(EventId = 1013, EventName = "InvalidationBusStateChanged", Level = LogLevel.Information, Message = "Invalidation bus connected: {Connected}. The key cache was cleared; it is in use only while the bus is connected.")]
    public static partial void InvalidationBusStateChanged(ILogger logger, bool connected);

    [LoggerMessage(EventId = 1014, EventName = "UserStoreRead", Level = LogLevel.Trace, Message = "Read the {Store} store for user {UserId}: {Outcome}.")]
    public static partial void UserStoreRead(ILogger logger, string userId, string store, string outcome);

    [LoggerMessage(EventId = 1100, EventName = "SessionStarted", Level = LogLevel.Information, Message = "Session {SessionId} started for user {UserId}.")]
    public static partial void SessionStarted(ILogger logger, string userId, string sessionId);

    [LoggerMessage(EventId = 1101, EventName = "RefreshTokenReused", Level = LogLevel.Warning, Message = "Session {SessionId} of user {UserId}: a refresh token of generation {Presented} was presented at generation {Current}; treated as theft, the session is ended.")]
    public static partial void RefreshTokenReused(ILogger logger, string userId, string sessionId, long presented, long current);

    [LoggerMessage(EventId = 1102, EventName = "RefreshWithinGraceWindow", Level = LogLevel.Information, Message = "Session {SessionId} of user {UserId}: the previous refresh token was redeemed again {SinceLastRefresh} after the last refresh, within the grace window.")]
    public static partial void RefreshWithinGraceWindow(ILogger logger, string userId, string sessionId, TimeSpan sinceLastRefresh);

    [LoggerMessage(EventId = 1109, EventName = "SessionRefreshed", Level = LogLevel.Debug, Message = "Session {SessionId} of user {UserId} refreshed to generation {Generation}.")]
    public static partial void SessionRefreshed(ILogger logger, string userId, string sessionId, long generation);

    [LoggerMessage(EventId = 1104, EventName = "SessionEnded", Level = LogLevel.Information, Message = "Session {SessionId} of user {UserId} ended by {EndedBy}: {Reason}.")]
    public static partial void SessionEnded(ILogger logger, string userId, string sessionId, string endedBy, string reason);

    [LoggerMessage(EventId = 1110, EventName = "SessionCapReached", Level = LogLevel.Information, Message = "User {UserId} reached {MaxSessions} sessions; the session refreshed longest ago ends.")]
    public static partial void SessionCapReached(ILogger logger, string userId, int maxSessions);

    [LoggerMessage(EventId = 1106, EventName = "TokenRevokedById", Level = LogLevel.Information, Message = "Token {TokenId} of user {UserId} revoked on its own.")]
    public static partial void TokenRevokedById(ILogger logger, string userId, string tokenId);

    [LoggerMessage(EventId = 1107, EventName = "RefreshRefused", Level = LogLevel.Information, Message = "A refresh of session {SessionId} of user {UserId} was refused: {Reason}.")]
    public static partial void RefreshRefused(ILogger logger, string userId, string sessionId, TokenFailureReason reason);

    [LoggerMessage(EventId = 1108, EventName = "RevokedTokensFull", Level = LogLevel.Warning, Message = "User {UserId} has the most tokens the denylist keeps per user; token {TokenId} was not revoked on its own.")]
    public static partial void RevokedTokensFull(ILogger logger, string userId, string tokenId);
}
