using System.Security.Claims;
using UserKeyedJwt.Tool.Configuration;
using UserKeyedJwt.Tool.Database;

namespace UserKeyedJwt.Tool.Minting;

/// <summary>
/// Issues an access token without a session, with the app's own issuer, for tests and development only. The rule: the
/// environment is Development, and the secret that signs (the active one) is set by a development-only source:
/// appsettings.Development.json, user secrets, or a development secret file. A secret from appsettings.json or from an
/// environment variable is refused even in Development: that is where shared and production secrets live.
/// </summary>
internal static class Minter
{
    private static readonly SettingSource[] DevelopmentSources = [SettingSource.EnvironmentAppSettings, SettingSource.UserSecrets, SettingSource.DevelopmentSecretFile];

    public static async Task<(IssuedToken Token, string SecretId, SettingSource Source)> MintAsync(
        string userId, string? securityStamp, string? passwordHash, TimeSpan? lifetime, IReadOnlyList<Claim> claims,
        AppSettings settings, string? connectionString, DatabaseProvider provider, CancellationToken cancellationToken)
    {
        if (!settings.IsDevelopment)
        {
            throw new UsageException($"mint signs with development secrets only, and the environment is {settings.Environment}: give --environment Development (or set ASPNETCORE_ENVIRONMENT) for a development setup.");
        }

        await using var services = ToolServices.Build(settings, connectionString, provider, new StoreFailures(), new OfflineKeyInputsSource());
        var options = ToolServices.Options(services, settings);
        var (secretId, source) = ActiveSecret(settings, options);
        if (source is not { } from || !DevelopmentSources.Contains(from))
        {
            throw new UsageException(
                $"mint refuses to sign with server secret '{secretId}': it is set by {Describe(source)}, not by a development-only source. "
                + $"Put a development secret in appsettings.Development.json or the project's user secrets ({settings.Section}:ServerSecrets), or give --dev-secret-file.");
        }

        var inputs = connectionString is null
            ? new UserKeyInputs(userId, securityStamp, passwordHash)
            : await ToolServices.Get<IUserKeyInputsSource>(services, settings).FindAsync(userId, cancellationToken)
                ?? throw new UsageException($"no user '{userId}' in AspNetUsers.");
        var issuer = ToolServices.Get<UserKeyedTokenIssuer>(services, settings);
        return (issuer.Issue(inputs, claims, TokenPurpose.Access, lifetime), secretId, from);
    }

    private static (string Id, SettingSource? Source) ActiveSecret(AppSettings settings, UserKeyedJwtOptions options)
    {
        var active = options.ActiveSecretId ?? options.ServerSecrets[0].Id!;
        var entries = settings.Options.GetSection("ServerSecrets").GetChildren();
        foreach (var entry in entries)
        {
            if (string.Equals(entry["Id"], active, StringComparison.Ordinal))
            {
                return (active, settings.SourceOf($"{entry.Path}:Secret"));
            }
        }

        return (active, null);
    }

    // Mint runs in Development only, so the environment's file is appsettings.Development.json.
    public static string Describe(SettingSource? source) => source switch
    {
        SettingSource.AppSettings => "appsettings.json",
        SettingSource.EnvironmentAppSettings => "appsettings.Development.json",
        SettingSource.UserSecrets => "user secrets",
        SettingSource.EnvironmentVariables => "an environment variable",
        SettingSource.DevelopmentSecretFile => "--dev-secret-file",
        _ => "no source the tool knows",
    };
}
