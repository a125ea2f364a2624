using UserKeyedJwt.Redis;

namespace UserKeyedJwt.Sample.Hosting;

/// <summary>
/// Cross-node invalidation of the key cache: on Redis pub/sub (<c>AddUserKeyedJwtRedisInvalidation</c>) when
/// <c>ConnectionStrings:Redis</c> is set, so that a password change or a revoke on one node drops the user's cached key on
/// every node at once; otherwise none, and the app is meant to run as one process.
/// </summary>
/// <remarks>
/// Whether to register the bus is decided from <c>builder.Configuration</c>, before the app is built, while the connection
/// string itself is read when the options are first used. A host that adds <c>ConnectionStrings:Redis</c> later (a
/// <c>WebApplicationFactory</c>'s <c>ConfigureAppConfiguration</c>) would otherwise run without the invalidation bus it
/// asked for, so nodes would keep stale keys for up to <c>KeyCacheTtl</c>: <see cref="Start"/> refuses to start instead.
/// </remarks>
internal static partial class SampleInvalidation
{
    public const string SectionName = "UserKeyedJwt:RedisInvalidation";

    public static void AddIfConfigured(WebApplicationBuilder builder)
    {
        if (string.IsNullOrWhiteSpace(builder.Configuration.GetConnectionString("Redis")))
        {
            return;
        }

        builder.Services.AddUserKeyedJwtRedisInvalidation(_ => { });
        builder.Services.AddOptions<RedisUserKeyInvalidationOptions>()
            .BindConfiguration(SectionName)
            .Configure<IConfiguration>((o, c) => o.Configuration = c.GetConnectionString("Redis"));
    }

    /// <summary>
    /// Checks that the bus is there when Redis is configured, then creates the key cache, which subscribes to the bus: its
    /// heartbeats start now rather than at the first request (until the first one comes back, the cache is bypassed).
    /// </summary>
    public static void Start(WebApplication app)
    {
        var registered = app.Services.GetService<IUserKeyInvalidationBus>() is not null;
        if (!registered && !string.IsNullOrWhiteSpace(app.Configuration.GetConnectionString("Redis")))
        {
            throw new InvalidOperationException(
                "ConnectionStrings:Redis was set only after the services were registered, so the key-cache invalidation bus is missing "
                + "and other nodes' changes would go unseen here for up to UserKeyedJwt:KeyCacheTtl. Set it where Program sees it "
                + "when it starts: an environment variable (ConnectionStrings__Redis), appsettings, the command line, or "
                + "WebApplicationFactory's UseSetting.");
        }

        _ = app.Services.GetRequiredService<IUserKeyCache>();
        if (registered)
        {
            LogRedisInvalidation(app.Logger);
        }
        else
        {
            LogNoInvalidation(app.Logger);
        }
    }

    [LoggerMessage(EventId = 9007, EventName = "RedisInvalidation", Level = LogLevel.Information, Message = "Key-cache invalidation: Redis pub/sub (ConnectionStrings:Redis), shared by every node.")]
    private static partial void LogRedisInvalidation(ILogger logger);

    [LoggerMessage(EventId = 9008, EventName = "NoInvalidation", Level = LogLevel.Information, Message = "Key-cache invalidation: this process only (ConnectionStrings:Redis is not set); run one node, or set it.")]
    private static partial void LogNoInvalidation(ILogger logger);
}
