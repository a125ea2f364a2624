using Microsoft.Extensions.Options;
using UserKeyedJwt.Redis.Internal;

namespace UserKeyedJwt.Redis;

/// <summary>Refuses incomplete invalidation-bus settings at startup, naming each setting.</summary>
internal sealed class RedisUserKeyInvalidationOptionsValidator : IValidateOptions<RedisUserKeyInvalidationOptions>
{
    public const string Prefix = "UserKeyedJwt:RedisInvalidation:";

    public ValidateOptionsResult Validate(string? name, RedisUserKeyInvalidationOptions options) =>
        Problems(options) is { Count: > 0 } problems ? ValidateOptionsResult.Fail(problems) : ValidateOptionsResult.Success;

    internal static List<string> Problems(RedisUserKeyInvalidationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<string>();
        RedisSettings.CheckConfiguration(options.Configuration, Prefix + nameof(options.Configuration), problems);

        if (string.IsNullOrEmpty(options.Channel) || options.Channel.Length > 128)
        {
            problems.Add($"{Prefix}{nameof(options.Channel)} must be 1 to 128 characters.");
        }

        if (options.HeartbeatInterval < TimeSpan.FromMilliseconds(100) || options.HeartbeatInterval > TimeSpan.FromMinutes(1))
        {
            problems.Add($"{Prefix}{nameof(options.HeartbeatInterval)} is {options.HeartbeatInterval}; it must be at least 100 milliseconds and at most 1 minute.");
        }

        if (options.HeartbeatTimeout < 2 * options.HeartbeatInterval || options.HeartbeatTimeout > TimeSpan.FromMinutes(5))
        {
            problems.Add($"{Prefix}{nameof(options.HeartbeatTimeout)} is {options.HeartbeatTimeout}; it must be at least twice {Prefix}{nameof(options.HeartbeatInterval)} and at most 5 minutes.");
        }

        if (options.Timeout <= TimeSpan.Zero || options.Timeout > TimeSpan.FromSeconds(30))
        {
            problems.Add($"{Prefix}{nameof(options.Timeout)} is {options.Timeout}; it must be above zero and at most 30 seconds.");
        }

        return problems;
    }
}
