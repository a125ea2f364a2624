using StackExchange.Redis;

namespace UserKeyedJwt.Redis.Internal;

/// <summary>How the invalidation bus reads and uses its Redis connection string.</summary>
internal static class RedisSettings
{
    /// <summary>Adds a problem, naming <paramref name="setting"/>, when <paramref name="configuration"/> is missing or unparsable.</summary>
    public static void CheckConfiguration(string? configuration, string setting, List<string> problems)
    {
        if (string.IsNullOrWhiteSpace(configuration))
        {
            problems.Add($"{setting} is required: the StackExchange.Redis configuration string, such as localhost:6379.");
            return;
        }

        try
        {
            _ = ConfigurationOptions.Parse(configuration);
        }
        catch (ArgumentException)
        {
            // The message never echoes the string: it may hold a password.
            problems.Add($"{setting} is not a valid StackExchange.Redis configuration string.");
        }
    }

    /// <summary>
    /// The client settings: keep reconnecting in the background rather than fail at startup, and fail fast while
    /// disconnected (no backlog), so that a command waits at most <paramref name="timeout"/> and the caller fails closed.
    /// </summary>
    public static ConfigurationOptions Client(string configuration, TimeSpan timeout)
    {
        var options = ConfigurationOptions.Parse(configuration);
        options.AbortOnConnectFail = false;
        options.BacklogPolicy = BacklogPolicy.FailFast;
        var milliseconds = (int)timeout.TotalMilliseconds;
        options.ConnectTimeout = milliseconds;
        options.AsyncTimeout = milliseconds;
        options.SyncTimeout = milliseconds;
        return options;
    }
}
