using System.CommandLine;
using UserKeyedJwt.Tool.Configuration;

namespace UserKeyedJwt.Tool;

/// <summary>The options of <c>explain</c> and <c>mint</c> that say where the app's settings and database are.</summary>
internal sealed class SettingsOptions
{
    private readonly Option<string?> _project = new("--project", "-p") { Description = "The app's project directory, holding its appsettings*.json and .csproj (for UserSecretsId). Default: the current directory." };
    private readonly Option<string?> _environment = new("--environment", "-e") { Description = "The app's environment. Default: ASPNETCORE_ENVIRONMENT, else DOTNET_ENVIRONMENT, else Production." };
    private readonly Option<string?> _section = new("--section") { Description = "The configuration section the app binds to UserKeyedJwtOptions. Default: UserKeyedJwt." };
    private readonly Option<string?> _devSecretFile = new("--dev-secret-file") { Description = "A file holding a development secret in base64 (as the sample's .dev-secret); used only when the configuration has no server secret." };
    private readonly Option<string?> _devSecretId = new("--dev-secret-id") { Description = "The id of the --dev-secret-file secret. Default: dev, as the sample names it." };
    private readonly Option<string?> _connectionString = new("--connection-string", "-c") { Description = "The database with Identity's AspNetUsers and UserKeyedJwt's session tables. It is only read." };
    private readonly Option<string?> _connectionName = new("--connection-name") { Description = "Read the connection string from the app's ConnectionStrings:<name> instead; a relative SQLite file is relative to the project." };
    private readonly Option<DatabaseProvider> _provider = new("--provider") { Description = "Sqlite or PostgreSql.", DefaultValueFactory = _ => DatabaseProvider.Sqlite };

    public void AddTo(Command command)
    {
        command.Add(_project);
        command.Add(_environment);
        command.Add(_section);
        command.Add(_devSecretFile);
        command.Add(_devSecretId);
        command.Add(_connectionString);
        command.Add(_connectionName);
        command.Add(_provider);
    }

    public ToolSettings Read(ParseResult parse)
    {
        if (parse.GetValue(_connectionString) is not null && parse.GetValue(_connectionName) is not null)
        {
            throw new UsageException("give --connection-string or --connection-name, not both.");
        }

        return new ToolSettings(
            parse.GetValue(_project), parse.GetValue(_environment), parse.GetValue(_section), parse.GetValue(_devSecretFile),
            parse.GetValue(_devSecretId), parse.GetValue(_connectionString), parse.GetValue(_connectionName), parse.GetValue(_provider));
    }
}
