using Microsoft.Extensions.Options;

namespace UserKeyedJwt;

/// <summary>Refuses insecure or inconsistent settings, reporting every problem at once and naming each setting.</summary>
internal sealed class UserKeyedJwtOptionsValidator : IValidateOptions<UserKeyedJwtOptions>
{
    internal const int MinimumSecretBytes = 32;
    private const string Prefix = UserKeyedJwtOptions.SectionName + ":";

    public ValidateOptionsResult Validate(string? name, UserKeyedJwtOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        var ids = new HashSet<string>(StringComparer.Ordinal);

        if (options.ServerSecrets.Count == 0)
        {
            failures.Add($"{Prefix}{nameof(options.ServerSecrets)} is empty: configure at least one server secret of {MinimumSecretBytes} or more random bytes.");
        }

        for (var i = 0; i < options.ServerSecrets.Count; i++)
        {
            var secret = options.ServerSecrets[i];
            var setting = $"{Prefix}{nameof(options.ServerSecrets)}:{i}";
            if (secret is null)
            {
                failures.Add($"{setting} is null.");
                continue;
            }

            if (!ServerSecretId.IsValid(secret.Id))
            {
                failures.Add($"{setting}:{nameof(secret.Id)} must be 1 to {ServerSecretId.MaxLength} characters from [A-Za-z0-9_-].");
            }
            else if (!ids.Add(secret.Id))
            {
                failures.Add($"{setting}:{nameof(secret.Id)} '{secret.Id}' is a duplicate: every server secret id must be unique.");
            }

            // The message never echoes the secret itself.
            var bytes = ServerSecretRing.TryDecode(secret.Secret);
            if (bytes is null)
            {
                failures.Add($"{setting}:{nameof(secret.Secret)} is missing or not valid base64.");
            }
            else
            {
                if (bytes.Length < MinimumSecretBytes)
                {
                    failures.Add($"{setting}:{nameof(secret.Secret)} is {bytes.Length} bytes; at least {MinimumSecretBytes} random bytes are required.");
                }
                else if (!bytes.AsSpan().ContainsAnyExcept((byte)0))
                {
                    failures.Add($"{setting}:{nameof(secret.Secret)} is all zero bytes; use random bytes.");
                }

                System.Security.Cryptography.CryptographicOperations.ZeroMemory(bytes);
            }
        }

        if (options.ActiveSecretId is null)
        {
            if (options.ServerSecrets.Count > 1)
            {
                failures.Add($"{Prefix}{nameof(options.ActiveSecretId)} is required when the ring holds more than one secret.");
            }
        }
        else if (!ids.Contains(options.ActiveSecretId))
        {
            failures.Add($"{Prefix}{nameof(options.ActiveSecretId)} '{options.ActiveSecretId}' names no secret in {Prefix}{nameof(options.ServerSecrets)}.");
        }

        if (string.IsNullOrWhiteSpace(options.Issuer))
        {
            failures.Add($"{Prefix}{nameof(options.Issuer)} is required.");
        }

        if (string.IsNullOrWhiteSpace(options.Audience))
        {
            failures.Add($"{Prefix}{nameof(options.Audience)} is required.");
        }

        CheckRange(failures, nameof(options.AccessTokenLifetime), options.AccessTokenLifetime, TimeSpan.Zero, TimeSpan.FromDays(1), zeroAllowed: false);
        CheckRange(failures, nameof(options.RefreshTokenLifetime), options.RefreshTokenLifetime, TimeSpan.Zero, TimeSpan.FromDays(365), zeroAllowed: false);
        CheckRange(failures, nameof(options.ClockSkew), options.ClockSkew, TimeSpan.Zero, TimeSpan.FromMinutes(5), zeroAllowed: true);
        CheckRange(failures, nameof(options.KeyCacheTtl), options.KeyCacheTtl, TimeSpan.Zero, TimeSpan.FromHours(1), zeroAllowed: true);
        CheckRange(failures, nameof(options.StoreTimeout), options.StoreTimeout, TimeSpan.Zero, TimeSpan.FromMinutes(1), zeroAllowed: false);

        if (options.MaxTokenLength is < 512 or > 1_048_576)
        {
            failures.Add($"{Prefix}{nameof(options.MaxTokenLength)} is {options.MaxTokenLength}; it must be between 512 and 1048576.");
        }

        if (options.KeyCacheSize < 0)
        {
            failures.Add($"{Prefix}{nameof(options.KeyCacheSize)} is {options.KeyCacheSize}; it must be 0 (no cache) or more.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void CheckRange(List<string> failures, string setting, TimeSpan value, TimeSpan min, TimeSpan max, bool zeroAllowed)
    {
        if (value < min || (!zeroAllowed && value == TimeSpan.Zero) || value > max)
        {
            var lower = zeroAllowed ? "at least 0" : "above 0";
            failures.Add($"{Prefix}{setting} is {value}; it must be {lower} and at most {max}.");
        }
    }
}
