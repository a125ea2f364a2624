namespace UserKeyedJwt.Tool.Configuration;

/// <summary>Where a setting came from, in the order the sources are read (a later one wins).</summary>
internal enum SettingSource
{
    AppSettings,
    EnvironmentAppSettings,
    UserSecrets,
    EnvironmentVariables,
    DevelopmentSecretFile,
}
