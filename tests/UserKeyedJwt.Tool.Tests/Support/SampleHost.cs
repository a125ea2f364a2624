using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace UserKeyedJwt.Tool.Tests.Support;

/// <summary>
/// The sample API, hosted in memory through its real Program, on its own SQLite file; its clock is a
/// <see cref="FakeTimeProvider"/> so that tests can obtain tokens issued in the past or the future. Also a project
/// directory for the tool: the sample's appsettings.json, and the test's secret in appsettings.Development.json.
/// </summary>
public sealed class SampleHost : WebApplicationFactory<global::Program>
{
    public const string SecretId = "test";

    public SampleHost()
    {
        DatabasePath = Path.Combine(Path.GetTempPath(), $"ukjwt-tool-tests-{Guid.NewGuid():N}.db");
        ProjectDirectory = Directory.CreateTempSubdirectory("ukjwt-tool-project-").FullName;
        ServerSecret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var sample = Path.Combine(RepositoryRoot, "samples", "UserKeyedJwt.Sample");
        File.Copy(Path.Combine(sample, "appsettings.json"), Path.Combine(ProjectDirectory, "appsettings.json"));
        WriteSettings(ProjectDirectory, "appsettings.Development.json", SecretId, ServerSecret);
    }

    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public FakeTimeProvider Clock { get; } = new(TimeProvider.System.GetUtcNow());

    public string DatabasePath { get; }

    public string ConnectionString => $"Data Source={DatabasePath}";

    /// <summary>A project directory as the tool reads it: the sample's settings with this host's secret.</summary>
    public string ProjectDirectory { get; }

    public string ServerSecret { get; }

    public static void WriteSettings(string directory, string file, string secretId, string secret) =>
        File.WriteAllText(Path.Combine(directory, file), JsonSerializer.Serialize(new
        {
            UserKeyedJwt = new { ServerSecrets = new[] { new { Id = secretId, Secret = secret } } },
        }));

    public async Task<(string Id, string Email, string Password)> RegisterAsync(HttpClient http)
    {
        var email = $"user-{Guid.NewGuid():N}@example.test";
        var password = $"Pw-{Guid.NewGuid():N}"[..14] + "aA1!";
        using var response = await SendAsync(http, HttpMethod.Post, "/identity/register", null, new { email, password });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var (access, _) = await LoginAsync(http, email, password);
        return (Subject(access), email, password);
    }

    public static async Task<(string Access, string Refresh)> LoginAsync(HttpClient http, string email, string password)
    {
        using var response = await SendAsync(http, HttpMethod.Post, "/identity/login", null, new { email, password });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement;
        return (body.GetProperty("accessToken").GetString()!, body.GetProperty("refreshToken").GetString()!);
    }

    public static async Task<HttpStatusCode> StatusAsync(HttpClient http, HttpMethod method, string path, string? token, object? body = null)
    {
        using var response = await SendAsync(http, method, path, token, body);
        return response.StatusCode;
    }

    public static string Subject(string token) =>
        JsonDocument.Parse(System.Buffers.Text.Base64Url.DecodeFromChars(token.Split('.')[1])).RootElement.GetProperty("sub").GetString()!;

    /// <summary>Every value the tool must never print: the server secret, each stored hash, stamp and session secret.</summary>
    public async Task<List<string>> StoredSecretsAsync()
    {
        var secrets = new List<string> { ServerSecret };
        await using var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        foreach (var query in new[] { "SELECT PasswordHash FROM AspNetUsers", "SELECT SecurityStamp FROM AspNetUsers", "SELECT Secret FROM UserKeyedSessions" })
        {
            await using var command = connection.CreateCommand();
            command.CommandText = query;
            await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
            while (await reader.ReadAsync(TestContext.Current.CancellationToken))
            {
                if (!reader.IsDBNull(0))
                {
                    secrets.Add(reader.GetString(0));
                }
            }
        }

        return secrets;
    }

    /// <summary>Deletes a user row as an administrator would in the database, around the app.</summary>
    public async Task DeleteUserAsync(string userId)
    {
        await using var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM AspNetUsers WHERE Id = $id";
        command.Parameters.AddWithValue("$id", userId);
        Assert.Equal(1, await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken));
    }

    /// <summary>A consistent copy of the database, with what the app's write-ahead log holds.</summary>
    public async Task BackupAsync(string path)
    {
        await using var source = new SqliteConnection(ConnectionString);
        await using var target = new SqliteConnection($"Data Source={path};Pooling=False");
        await source.OpenAsync(TestContext.Current.CancellationToken);
        await target.OpenAsync(TestContext.Current.CancellationToken);
        source.BackupDatabase(target);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.ConfigureAppConfiguration(config => config.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Sample"] = ConnectionString,
            ["UserKeyedJwt:ServerSecrets:0:Id"] = SecretId,
            ["UserKeyedJwt:ServerSecrets:0:Secret"] = ServerSecret,
            ["Sample:DevelopmentSecretFile"] = Path.Combine(ProjectDirectory, ".dev-secret"),
            ["Sample:MailPickupFolder"] = Path.Combine(ProjectDirectory, "mail"),
            ["Identity:PasswordHasher:IterationCount"] = "1000",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:UserKeyedJwt"] = "Warning",
        }));
        builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(Clock));
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        SqliteConnection.ClearAllPools();
        foreach (var path in new[] { DatabasePath, DatabasePath + "-wal", DatabasePath + "-shm" })
        {
            File.Delete(path);
        }

        Directory.Delete(ProjectDirectory, recursive: true);
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient http, HttpMethod method, string path, string? token, object? body)
    {
        using var request = new HttpRequestMessage(method, path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        return await http.SendAsync(request, TestContext.Current.CancellationToken);
    }

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "UserKeyedJwt.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("The repository root (UserKeyedJwt.sln) is not above the test's directory.");
    }
}
