using Microsoft.Extensions.Options;
using UserKeyedJwt.Redis;

namespace UserKeyedJwt.Sample.Hosting;

/// <summary>Chooses the revocation store when it is first needed, so that settings added by a test host are seen too.</summary>
internal static partial class SampleRevocationStore
{
    public static IRevokedTokenStore Create(IServiceProvider services)
    {
        var configuration = services.GetRequiredService<IConfiguration>();
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(SampleRevocationStore));
        if (string.IsNullOrWhiteSpace(configuration.GetConnectionString("Redis")))
        {
            InMemoryRevocationStore(logger);
            return new InMemoryRevokedTokenStore(
                services.GetRequiredService<TimeProvider>(),
                services.GetRequiredService<IOptions<UserKeyedSessionOptions>>().Value.InMemoryStoreCapacity);
        }

        RedisRevocationStore(logger);
        return ActivatorUtilities.CreateInstance<RedisRevokedTokenStore>(services);
    }

    [LoggerMessage(EventId = 9003, EventName = "InMemoryRevocationStore", Level = LogLevel.Information, Message = "Revocation list: in memory (ConnectionStrings:Redis is not set); logouts are seen by this process only.")]
    private static partial void InMemoryRevocationStore(ILogger logger);

    [LoggerMessage(EventId = 9004, EventName = "RedisRevocationStore", Level = LogLevel.Information, Message = "Revocation list: Redis (ConnectionStrings:Redis).")]
    private static partial void RedisRevocationStore(ILogger logger);
}
