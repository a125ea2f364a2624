using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
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

    /// <summary>The app's user store, wrapped: counts reads (see <see cref="RecordingUserKeyInputsSource"/>). Set once the host is built.</summary>
    public RecordingUserKeyInputsSource? Store { get; private set; }

    /// <summary>Every bearer token the clients of <see cref="Api()"/> sent or received.</summary>
    public ConcurrentQueue<string> SeenTokens { get; } = new();

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

    public Api Api() => new(CreateDefaultClient(new Uri("http://localhost"), new TokenRecordingHandler(SeenTokens)));

    /// <summary>What the log scan would report now: where a secret known to this app appears in its Trace-level logs.</summary>
    public List<string> FindSecretLeaks(IEnumerable<UserKeyInputs>? storedMaterials = null)
    {
        var serverSecrets = _settings.Where(s => s.Key.EndsWith(":Secret", StringComparison.Ordinal) && s.Value is not null).Select(s => s.Value!).Append(ServerSecret);
        if (File.Exists(DevelopmentSecretPath))
        {
            serverSecrets = serverSecrets.Append(File.ReadAllText(DevelopmentSecretPath).Trim());
        }

        var materials = (Store?.Read ?? []).Concat(storedMaterials ?? SecretScan.StoredMaterials(DatabasePath));
        return SecretScan.FindLeaks(Logs.Entries, SecretScan.Secrets(serverSecrets, SeenTokens, materials));
    }

    public override async ValueTask DisposeAsync()
    {
        var stored = SecretScan.StoredMaterials(DatabasePath);
        await base.DisposeAsync();
        SqliteConnection.ClearAllPools();
        foreach (var path in new[] { DatabasePath, DatabasePath + "-wal", DatabasePath + "-shm", DevelopmentSecretPath })
        {
            File.Delete(path);
        }

        GC.SuppressFinalize(this);

        // Suite-wide log hygiene: every app of every test is scanned, so a leak anywhere fails the test that caused it.
        var leaks = FindSecretLeaks(stored);
        if (leaks.Count > 0)
        {
            throw new InvalidOperationException("Secrets reached the logs:\n" + string.Join('\n', leaks));
        }
    }

    private void RecordStoreReads(IServiceCollection services)
    {
        if (services.LastOrDefault(d => d.ServiceType == typeof(IUserKeyInputsSource)) is not { } real)
        {
            return;
        }

        services.Replace(ServiceDescriptor.Singleton<IUserKeyInputsSource>(sp =>
        {
            var inner = real.ImplementationInstance as IUserKeyInputsSource
                ?? real.ImplementationFactory?.Invoke(sp) as IUserKeyInputsSource
                ?? (IUserKeyInputsSource)ActivatorUtilities.CreateInstance(sp, real.ImplementationType!);
            return Store = new RecordingUserKeyInputsSource(inner);
        }));
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(_environment);
        builder.ConfigureAppConfiguration(config => config.AddInMemoryCollection(_settings));
        // Captured at Trace whatever the app's own levels are (a provider rule wins over the configured ones): the scan on
        // dispose must see every line any sink could be configured to keep.
        builder.ConfigureLogging(logging => logging.AddProvider(Logs).AddFilter<CapturedLogs>(null, LogLevel.Trace));

        // PBKDF2 at Identity's 100,000 iterations costs ~150 ms per hash on a CI core; the tests hash hundreds of times. The
        // hasher stays Identity's real one (V3 format), so hashes still change on every password change.
        builder.ConfigureTestServices(services => services.Configure<PasswordHasherOptions>(o => o.IterationCount = 1_000));
        builder.ConfigureTestServices(RecordStoreReads);
        if (_configureServices is not null)
        {
            builder.ConfigureTestServices(_configureServices);
        }
    }
}
