using System.Xml.Linq;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.EnvironmentVariables;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.Configuration.UserSecrets;

namespace UserKeyedJwt.Tool.Configuration;

/// <summary>
/// The application's configuration, read in the order an ASP.NET Core host reads it: appsettings.json,
/// appsettings.{Environment}.json, user secrets (Development only), environment variables; each source remembered, so
/// that <c>mint</c> can tell where the signing secret came from.
/// </summary>
internal sealed class AppSettings
{
    private readonly List<SettingSource> _sources;

    private AppSettings(IConfigurationRoot root, List<SettingSource> sources, string projectDirectory, string environment, string section)
    {
        Root = root;
        _sources = sources;
        ProjectDirectory = projectDirectory;
        Environment = environment;
        Section = section;
    }

    public IConfigurationRoot Root { get; }

    public string ProjectDirectory { get; }

    public string Environment { get; }

    public string Section { get; }

    public bool IsDevelopment => string.Equals(Environment, "Development", StringComparison.OrdinalIgnoreCase);

    /// <summary>The section the app binds to <see cref="UserKeyedJwtOptions"/>.</summary>
    public IConfigurationSection Options => Root.GetSection(Section);

    public static AppSettings Load(ToolSettings settings)
    {
        var project = Path.GetFullPath(settings.Project ?? ".");
        if (!Directory.Exists(project))
        {
            throw new UsageException($"--project: no directory {project}.");
        }

        // As the host decides: ASPNETCORE_ENVIRONMENT over DOTNET_ENVIRONMENT, Production when neither is set.
        var environment = settings.Environment
            ?? System.Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT")
            ?? System.Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT")
            ?? "Production";
        var builder = new ConfigurationBuilder().SetBasePath(project);
        var sources = new List<SettingSource>();
        void Add(SettingSource source, Action add)
        {
            add();
            sources.Add(source);
        }

        Add(SettingSource.AppSettings, () => builder.AddJsonFile("appsettings.json", optional: true, reloadOnChange: false));
        Add(SettingSource.EnvironmentAppSettings, () => builder.AddJsonFile($"appsettings.{environment}.json", optional: true, reloadOnChange: false));
        if (string.Equals(environment, "Development", StringComparison.OrdinalIgnoreCase) && FindUserSecretsId(project) is { } id)
        {
            Add(SettingSource.UserSecrets, () => builder.AddJsonFile(PathHelper.GetSecretsPathFromSecretsId(id), optional: true, reloadOnChange: false));
        }

        Add(SettingSource.EnvironmentVariables, () => builder.Add(new EnvironmentVariablesConfigurationSource()));
        var root = builder.Build();
        var section = settings.Section ?? UserKeyedJwtOptions.SectionName;

        // A file such as the sample's .dev-secret stands in for a configured secret only when none is configured, as the sample does.
        if (settings.DevelopmentSecretFile is { } file && !root.GetSection($"{section}:ServerSecrets").GetChildren().Any())
        {
            var path = Path.GetFullPath(file);
            if (!File.Exists(path))
            {
                throw new UsageException($"--dev-secret-file: no file {path}.");
            }

            builder.Add(new MemoryConfigurationSource
            {
                InitialData = new Dictionary<string, string?>
                {
                    [$"{section}:ServerSecrets:0:Id"] = settings.DevelopmentSecretId ?? "dev",
                    [$"{section}:ServerSecrets:0:Secret"] = File.ReadAllText(path).Trim(),
                },
            });
            sources.Add(SettingSource.DevelopmentSecretFile);
            root = builder.Build();
        }

        return new AppSettings(root, sources, project, environment, section);
    }

    /// <summary>Where the value of <paramref name="key"/> comes from: the last source that sets it, as configuration reads it.</summary>
    public SettingSource? SourceOf(string key)
    {
        var providers = Root.Providers.ToList();
        for (var i = providers.Count - 1; i >= 0; i--)
        {
            if (providers[i].TryGet(key, out _))
            {
                return _sources[i];
            }
        }

        return null;
    }

    /// <summary>
    /// The database to read: <paramref name="connectionString"/> as given, or the app's <c>ConnectionStrings:{name}</c> with a
    /// relative SQLite file resolved against the project, as the app resolves it against its content root.
    /// </summary>
    public string? ConnectionString(string? connectionString, string? name, DatabaseProvider provider)
    {
        if (connectionString is not null)
        {
            return connectionString;
        }

        if (name is null)
        {
            return null;
        }

        var configured = Root.GetConnectionString(name);
        if (string.IsNullOrWhiteSpace(configured))
        {
            throw new UsageException($"--connection-name: the app's configuration has no ConnectionStrings:{name}.");
        }

        if (provider != DatabaseProvider.Sqlite)
        {
            return configured;
        }

        var sqlite = new SqliteConnectionStringBuilder(configured);
        if (sqlite.DataSource is { Length: > 0 } dataSource && dataSource != ":memory:" && !Path.IsPathRooted(dataSource))
        {
            sqlite.DataSource = Path.GetFullPath(dataSource, ProjectDirectory);
        }

        return sqlite.ToString();
    }

    private static string? FindUserSecretsId(string project)
    {
        foreach (var file in Directory.EnumerateFiles(project, "*.csproj"))
        {
            var id = XDocument.Load(file).Descendants().FirstOrDefault(e => e.Name.LocalName == "UserSecretsId")?.Value.Trim();
            if (!string.IsNullOrEmpty(id))
            {
                return id;
            }
        }

        return null;
    }
}
