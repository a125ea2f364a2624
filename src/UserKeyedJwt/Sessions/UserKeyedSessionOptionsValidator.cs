using Microsoft.Extensions.Options;

namespace UserKeyedJwt;

/// <summary>Refuses inconsistent session settings, reporting every problem at once and naming each setting.</summary>
internal sealed class UserKeyedSessionOptionsValidator(IOptions<UserKeyedJwtOptions> core) : IValidateOptions<UserKeyedSessionOptions>
{
    private const string Prefix = UserKeyedSessionOptions.SectionName + ":";

    public ValidateOptionsResult Validate(string? name, UserKeyedSessionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.AbsoluteLifetime <= TimeSpan.Zero || options.AbsoluteLifetime > TimeSpan.FromDays(365))
        {
            failures.Add($"{Prefix}{nameof(options.AbsoluteLifetime)} is {options.AbsoluteLifetime}; it must be above zero and at most 365 days.");
        }

        if (options.InactivityTimeout <= TimeSpan.Zero || options.InactivityTimeout > options.AbsoluteLifetime)
        {
            failures.Add($"{Prefix}{nameof(options.InactivityTimeout)} is {options.InactivityTimeout}; it must be above zero and at most {Prefix}{nameof(options.AbsoluteLifetime)} ({options.AbsoluteLifetime}).");
        }

        var refreshLifetime = core.Value.RefreshTokenLifetime;
        if (options.InactivityTimeout > refreshLifetime)
        {
            failures.Add($"{Prefix}{nameof(options.InactivityTimeout)} is {options.InactivityTimeout}, longer than {UserKeyedJwtOptions.SectionName}:{nameof(UserKeyedJwtOptions.RefreshTokenLifetime)} ({refreshLifetime}): a refresh token cannot outlive its lifetime. Lower the timeout or raise the lifetime.");
        }

        if (options.RefreshReuseGraceWindow < TimeSpan.Zero || options.RefreshReuseGraceWindow > TimeSpan.FromMinutes(1))
        {
            failures.Add($"{Prefix}{nameof(options.RefreshReuseGraceWindow)} is {options.RefreshReuseGraceWindow}; it must be between zero (off) and 1 minute.");
        }

        if (options.MaxSessionsPerUser is < 1 or > 1_000)
        {
            failures.Add($"{Prefix}{nameof(options.MaxSessionsPerUser)} is {options.MaxSessionsPerUser}; it must be between 1 and 1,000.");
        }

        if (options.MaxRevokedTokensPerUser is < 1 or > 10_000)
        {
            failures.Add($"{Prefix}{nameof(options.MaxRevokedTokensPerUser)} is {options.MaxRevokedTokensPerUser}; it must be between 1 and 10,000.");
        }

        if (options.InMemoryStoreCapacity is < 1 or > 100_000_000)
        {
            failures.Add($"{Prefix}{nameof(options.InMemoryStoreCapacity)} is {options.InMemoryStoreCapacity}; it must be between 1 and 100,000,000.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
