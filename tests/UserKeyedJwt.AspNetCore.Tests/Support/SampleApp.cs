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

    protected SampleApp(
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
        MailPickupFolder = Path.Combine(Path.GetTempPath(), $"ukjwt-tests-{Guid.NewGuid():N}-mail");
        ServerSecret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        _settings = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["ConnectionStrings:Sample"] = $"Data Source={DatabasePath}",
            ["Sample:DevelopmentSecretFile"] = DevelopmentSecretPath,
            ["Sample:MailPickupFolder"] = MailPickupFolder,
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

    /// <summary>Where the sample's development email sender writes each message, as one JSON file.</summary>
    public string MailPickupFolder { get; }

    public string ServerSecret { get; }

    public CapturedLogs Logs { get; } = new();

    /// <summary>The app's user store, wrapped: counts reads (see <see cref="RecordingUserKeyInputsSource"/>). Set once the host is built.</summary>
    public RecordingUserKeyInputsSource? Store { get; private set; }

    /// <summary>The app's session store, recording every session it holds, once the app has started.</summary>
    public RecordingSessionStore? Sessions { get; private set; }

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

    /// <summary>
    /// The key <paramref name="token"/> is signed under, derived from the document (not the library) from the app's server
    /// secret, its subject's stored key inputs and, for a session's token, its session's stored secret: to sign as the server would.
    /// </summary>
    public async Task<byte[]> KeyOfAsync(string token, TokenPurpose purpose = TokenPurpose.Access)
    {
        var payload = System.Text.Json.JsonDocument.Parse(System.Buffers.Text.Base64Url.DecodeFromChars(token.Split('.')[1])).RootElement;
        var inputs = await Services.GetRequiredService<IUserKeyInputsSource>().FindAsync(payload.GetProperty("sub").GetString()!, TestContext.Current.CancellationToken)
            ?? throw new InvalidOperationException("The token's user is not stored.");
        var secret = Convert.FromBase64String(ServerSecret);
        if (!payload.TryGetProperty("sid", out var sid))
        {
            return global::UserKeyedJwt.Tests.Shared.SpecKeyDerivation.DeriveKey(secret, inputs, purpose);
        }

        var session = await Services.GetRequiredService<IUserKeyedSessionStore>().FindAsync(sid.GetString()!, TestContext.Current.CancellationToken)
            ?? throw new InvalidOperationException("The token's session is not stored.");
        return global::UserKeyedJwt.Tests.Shared.SpecKeyDerivation.DeriveSessionKey(secret, inputs, purpose, session.Id, session.Secret);
    }

    public Api Api() => new(CreateDefaultClient(new Uri("http://localhost"), new TokenRecordingHandler(SeenTokens)), FindUserIdAsync);

    /// <summary>The value (link or code) of the newest message of <paramref name="kind"/> to <paramref name="to"/> in the mail pickup folder.</summary>
    public async Task<string> ReadMailAsync(string to, string kind)
    {
        var messages = new List<(string Name, string Value)>();
        foreach (var file in Directory.Exists(MailPickupFolder) ? Directory.GetFiles(MailPickupFolder, "*.json") : [])
        {
            var mail = System.Text.Json.JsonDocument.Parse(await File.ReadAllBytesAsync(file, TestContext.Current.CancellationToken)).RootElement;
            if (mail.GetProperty("to").GetString() == to && mail.GetProperty("kind").GetString() == kind)
            {
                messages.Add((Path.GetFileName(file), mail.GetProperty("value").GetString()!));
            }
        }

        return messages.Count > 0 ? messages.MaxBy(m => m.Name, StringComparer.Ordinal).Value : throw new InvalidOperationException($"No {kind} mail was written.");
    }

    /// <summary>The id of the user registered under <paramref name="email"/>, from the app's user manager: /register answers no body.</summary>
    public async Task<string> FindUserIdAsync(string email)
    {
        await using var scope = Services.CreateAsyncScope();
        var user = await scope.ServiceProvider.GetRequiredService<UserManager<SampleUser>>().FindByEmailAsync(email);
        return user?.Id ?? throw new InvalidOperationException("No user has that email.");
    }

    /// <summary>What the log scan would report now: where a secret known to this app appears in its Trace-level logs.</summary>
    public List<string> FindSecretLeaks(IEnumerable<UserKeyInputs>? storedMaterials = null)
    {
        var serverSecrets = _settings.Where(s => s.Key.EndsWith(":Secret", StringComparison.Ordinal) && s.Value is not null).Select(s => s.Value!).Append(ServerSecret);
        if (File.Exists(DevelopmentSecretPath))
        {
            serverSecrets = serverSecrets.Append(File.ReadAllText(DevelopmentSecretPath).Trim());
        }

        var materials = (Store?.Read ?? []).Concat(storedMaterials ?? SecretScan.StoredMaterials(DatabasePath));
        return SecretScan.FindLeaks(Logs.Entries, SecretScan.Secrets(serverSecrets, SeenTokens, materials, Sessions?.Seen ?? []));
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

        if (Directory.Exists(MailPickupFolder))
        {
            Directory.Delete(MailPickupFolder, recursive: true);
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
        Decorate<IUserKeyInputsSource>(services, inner => Store = new RecordingUserKeyInputsSource(inner));
        Decorate<IUserKeyedSessionStore>(services, inner => Sessions = new RecordingSessionStore(inner));
    }

    private static void Decorate<T>(IServiceCollection services, Func<T, T> decorate)
        where T : class
    {
        if (services.LastOrDefault(d => d.ServiceType == typeof(T)) is not { } real)
        {
            return;
        }

        services.Replace(ServiceDescriptor.Singleton<T>(sp => decorate(
            real.ImplementationInstance as T
            ?? real.ImplementationFactory?.Invoke(sp) as T
            ?? (T)ActivatorUtilities.CreateInstance(sp, real.ImplementationType!))));
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
