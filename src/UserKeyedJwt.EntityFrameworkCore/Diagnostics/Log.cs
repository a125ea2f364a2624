using Microsoft.Extensions.Logging;

namespace UserKeyedJwt.EntityFrameworkCore.Diagnostics;

/// <summary>
/// Every log message of the Entity Framework Core package, with event ids 4000 to 4099 (the core uses 1xxx, ASP.NET Core
/// 2xxx, Redis 3xxx). No message carries a session's secret: the sweep only counts rows.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 4001, EventName = "ExpiredSessionsRemoved", Level = LogLevel.Information, Message = "The sweep deleted {Count} sessions that ended or were inactive.")]
    public static partial void ExpiredSessionsRemoved(ILogger logger, int count);

    [LoggerMessage(EventId = 4002, EventName = "ExpiredRevokedTokensRemoved", Level = LogLevel.Information, Message = "The sweep deleted {Count} denylist entries of expired tokens.")]
    public static partial void ExpiredRevokedTokensRemoved(ILogger logger, int count);

    [LoggerMessage(EventId = 4003, EventName = "SweepFailed", Level = LogLevel.Warning, Message = "The sweep of {Store} failed; it runs again in {Interval}.")]
    public static partial void SweepFailed(ILogger logger, string store, TimeSpan interval, Exception exception);
}
