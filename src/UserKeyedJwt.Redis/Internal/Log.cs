using Microsoft.Extensions.Logging;

namespace UserKeyedJwt.Redis.Internal;

/// <summary>
/// Every log message of the Redis package, with event ids 3001 and up (the core uses 1xxx, ASP.NET Core 2xxx). No message
/// carries the configuration string (it may hold a password), a token or a key.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 3004, EventName = "InvalidationChannelDown", Level = LogLevel.Warning, Message = "The key-invalidation channel is down ({Reason}); the key cache is bypassed and every token is checked against the user store until it is back.")]
    public static partial void InvalidationChannelDown(ILogger logger, string reason);

    [LoggerMessage(EventId = 3005, EventName = "InvalidationChannelUp", Level = LogLevel.Information, Message = "The key-invalidation channel is up: this node received its own heartbeat; the key cache is in use.")]
    public static partial void InvalidationChannelUp(ILogger logger);

    [LoggerMessage(EventId = 3006, EventName = "InvalidationPublishFailed", Level = LogLevel.Warning, Message = "Publishing a key invalidation failed ({ExceptionType}), attempt {Attempt}; retrying.")]
    public static partial void InvalidationPublishFailed(ILogger logger, string exceptionType, int attempt);

    [LoggerMessage(EventId = 3007, EventName = "InvalidationAbandoned", Level = LogLevel.Error, Message = "A key invalidation of user {UserId} could not be published within the key-cache TTL and was dropped; other nodes' caches have expired it by now.")]
    public static partial void InvalidationAbandoned(ILogger logger, string userId);

    [LoggerMessage(EventId = 3008, EventName = "InvalidationSubscribeFailed", Level = LogLevel.Warning, Message = "Subscribing to the key-invalidation channel failed ({ExceptionType}); retrying.")]
    public static partial void InvalidationSubscribeFailed(ILogger logger, string exceptionType);

    [LoggerMessage(EventId = 3009, EventName = "InvalidationOutboxFull", Level = LogLevel.Error, Message = "The key-invalidation outbox is full; the oldest pending invalidation was dropped (other nodes' caches expire it within the key-cache TTL).")]
    public static partial void InvalidationOutboxFull(ILogger logger);

    [LoggerMessage(EventId = 3010, EventName = "InvalidationBusStopped", Level = LogLevel.Critical, Message = "The key-invalidation bus stopped ({ExceptionType}); the key cache stays bypassed and every token is checked against the user store until the application restarts.")]
    public static partial void InvalidationBusStopped(ILogger logger, string exceptionType);
}
