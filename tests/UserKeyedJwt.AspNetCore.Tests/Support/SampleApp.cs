using System.Security.Cryptography;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using UserKeyedJwt.Sample.Data;

namespace UserKeyedJwt.AspNetCore.Tests.Support;

/// <summary>
/// The sample API, hosted in memory through its real Program, JwtBearer middleware, Identity and EF Core, on its own SQLite
/// file in the temp folder. Every log line is captured, so tests can check what reaches the logs. Only the password
/// hashing cost is lowered.
/// </summary>
public class SampleApp : WebApplicationFactory<Program>
{
    public const string AdminEmail = "admin@example.test";
    public const string AdminPassword = "Admin-Passw0rd!";

    private readonly Dictionary<string, string?> _settings;
    private readonly string _environment;
    private readonly Action<IServiceCollection>? _configureServices;

    public SampleApp()
        : this(null, "Development", withServerSecret: true, seedAdmin: true, configureServices: null)
    {
    }

    private SampleApp(
        IReadOnlyDictionary<string, string?>? settings,
        string environment,
        bool withServerSecret,
        bool seedAdmin,
        Action<IServiceCollection>? configureServices)
    {
        _environment = environment;
        _configureServices = configureServices;
        DatabasePath = Path.Combine(Path.GetTempPath(), $"ukjwt-tests-{Guid.NewGuid():N}.db");
        DevelopmentSecretPath = Path.Combine(Path.GetTempPath(), $"ukjwt-tests-{Guid.NewGuid():N}.dev-secret");
        ServerSecret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        _settings = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["ConnectionStrings:Sample"] = $"Data Source={DatabasePath}",
            ["Sample:DevelopmentSecretFile"] = DevelopmentSecretPath,
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:UserKeyedJwt"] = "Debug",
        };
        if (withServerSecret)
        {
            _settings["UserKeyedJwt:ServerSecrets:0:Id"] = "test";
            _settings["UserKeyedJwt:ServerSecrets:0:Secret"] = ServerSecret;
        }

        if (seedAdmin)
        {
            _settings["Sample:Admin:Email"] = AdminEmail;
            _settings["Sample:Admin:Password"] = AdminPassword;
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            _settings[key] = value;
        }
    }

    public string DatabasePath { get; }

    public string DevelopmentSecretPath { get; }

    public string ServerSecret { get; }

    public CapturedLogs Logs { get; } = new();

    /// <summary>A sample app with its own database and settings; the parameterless constructor is the shared default.</summary>
    public static SampleApp Create(
        IReadOnlyDictionary<string, string?>? settings = null,
        string environment = "Development",
        bool withServerSecret = true,
        bool seedAdmin = true,
        Action<IServiceCollection>? configureServices = null) =>
        new(settings, environment, withServerSecret, seedAdmin, configureServices);

    /// <summary>Runs <paramref name="change"/> with the app's own user manager, in a fresh scope, as app code would.</summary>
    internal async Task<IdentityResult> ChangeUserAsync(string userId, Func<UserManager<SampleUser>, SampleUser, Task<IdentityResult>> change)
    {
        await using var scope = Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<SampleUser>>();
        var user = await users.FindByIdAsync(userId) ?? throw new InvalidOperationException($"No user {userId}.");
        return await change(users, user);
    }

    public Api Api() => new(CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false }));

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        SqliteConnection.ClearAllPools();
        foreach (var path in new[] { DatabasePath, DatabasePath + "-wal", DatabasePath + "-shm", DevelopmentSecretPath })
        {
            File.Delete(path);
        }

        GC.SuppressFinalize(this);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(_environment);
        builder.ConfigureAppConfiguration(config => config.AddInMemoryCollection(_settings));
        builder.ConfigureLogging(logging => logging.AddProvider(Logs));

        // PBKDF2 at Identity's 100,000 iterations costs ~150 ms per hash on a CI core; the tests hash hundreds of times. The
        // hasher stays Identity's real one (V3 format), so hashes still change on every password change.
        builder.ConfigureTestServices(services => services.Configure<PasswordHasherOptions>(o => o.IterationCount = 1_000));
        if (_configureServices is not null)
        {
            builder.ConfigureTestServices(_configureServices);
        }
    }
}
