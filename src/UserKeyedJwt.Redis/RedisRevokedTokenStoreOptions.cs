namespace UserKeyedJwt.Redis;

/// <summary>Settings of <see cref="RedisRevokedTokenStore"/>.</summary>
public sealed class RedisRevokedTokenStoreOptions
{
    /// <summary>
    /// The StackExchange.Redis configuration string, such as <c>localhost:6379</c> or
    /// <c>redis.internal:6380,ssl=true,password=...</c>. It is never logged.
    /// </summary>
    /// <value>No default: required.</value>
    public string? Configuration { get; set; }

    /// <summary>The prefix of every key the store writes, so that several applications can share one Redis.</summary>
    /// <value><c>ukjwt:</c>. 1 to 64 characters.</value>
    public string KeyPrefix { get; set; } = "ukjwt:";

    /// <summary>
    /// How long connecting and each command may take. A command that fails or exceeds it is an outage, which the validator
    /// answers according to <see cref="UserKeyedSessionOptions.RevocationStoreFailure"/> (fail closed by default).
    /// </summary>
    /// <value>2 seconds. Above zero and at most 30 seconds.</value>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(2);
}
