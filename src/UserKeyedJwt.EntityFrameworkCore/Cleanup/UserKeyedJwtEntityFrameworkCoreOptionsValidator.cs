using Microsoft.Extensions.Options;

namespace UserKeyedJwt.EntityFrameworkCore.Cleanup;

/// <summary>Refuses sweep settings out of range at startup, naming each setting.</summary>
internal sealed class UserKeyedJwtEntityFrameworkCoreOptionsValidator : IValidateOptions<UserKeyedJwtEntityFrameworkCoreOptions>
{
    private const string Prefix = UserKeyedJwtEntityFrameworkCoreOptions.SectionName + ":";

    public ValidateOptionsResult Validate(string? name, UserKeyedJwtEntityFrameworkCoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.CleanupInterval < TimeSpan.FromMinutes(1) || options.CleanupInterval > TimeSpan.FromDays(1))
        {
            failures.Add($"{Prefix}{nameof(options.CleanupInterval)} is {options.CleanupInterval}; it must be at least 1 minute and at most 1 day.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
