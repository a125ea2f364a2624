using Microsoft.Extensions.Logging;

namespace UserKeyedJwt.Redis.Internal;

/// <summary>
/// Every log message of the Redis package, with event ids 3001 and up (the core uses 1xxx, ASP.NET Core 2xxx). No message
/// carries the configuration string (it may hold a password), a token or a key.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 3001, EventName = "RedisConnectionFailed", Level = LogLevel.Error, Message = "Redis connection to {Endpoint} failed ({FailureType}); revocation checks fail until it is restored.")]
    public static partial void ConnectionFailed(ILogger logger, string endpoint, string failureType);

    [LoggerMessage(EventId = 3002, EventName = "RedisConnectionRestored", Level = LogLevel.Information, Message = "Redis connection to {Endpoint} restored.")]
    public static partial void ConnectionRestored(ILogger logger, string endpoint);

    [LoggerMessage(EventId = 3003, EventName = "RedisCommandFailed", Level = LogLevel.Error, Message = "Redis command {Operation} failed ({ExceptionType}).")]
    public static partial void CommandFailed(ILogger logger, string operation, string exceptionType);
}
