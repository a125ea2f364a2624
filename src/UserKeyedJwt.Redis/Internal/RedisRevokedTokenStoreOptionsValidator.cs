using Microsoft.Extensions.Options;
using UserKeyedJwt.Redis.Internal;

namespace UserKeyedJwt.Redis;

/// <summary>Refuses incomplete Redis settings at startup, naming each setting.</summary>
internal sealed class RedisRevokedTokenStoreOptionsValidator : IValidateOptions<RedisRevokedTokenStoreOptions>
{
    public const string Prefix = "UserKeyedJwt:Redis:";

    public ValidateOptionsResult Validate(string? name, RedisRevokedTokenStoreOptions options) =>
        Problems(options) is { Count: > 0 } problems ? ValidateOptionsResult.Fail(problems) : ValidateOptionsResult.Success;

    internal static List<string> Problems(RedisRevokedTokenStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<string>();
        RedisSettings.CheckConfiguration(options.Configuration, Prefix + nameof(options.Configuration), problems);

        if (string.IsNullOrEmpty(options.KeyPrefix) || options.KeyPrefix.Length > 64)
        {
            problems.Add($"{Prefix}{nameof(options.KeyPrefix)} must be 1 to 64 characters.");
        }

        if (options.Timeout <= TimeSpan.Zero || options.Timeout > TimeSpan.FromSeconds(30))
        {
            problems.Add($"{Prefix}{nameof(options.Timeout)} is {options.Timeout}; it must be above zero and at most 30 seconds.");
        }

        return problems;
    }
}
