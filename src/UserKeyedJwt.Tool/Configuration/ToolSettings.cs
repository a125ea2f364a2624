namespace UserKeyedJwt.Tool.Configuration;

/// <summary>The options that say where the app's settings are, shared by <c>explain</c> and <c>mint</c>.</summary>
internal sealed record ToolSettings(
    string? Project,
    string? Environment,
    string? Section,
    string? DevelopmentSecretFile,
    string? DevelopmentSecretId,
    string? ConnectionString,
    string? ConnectionName,
    DatabaseProvider Provider);
