using System.Collections.Concurrent;
using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using UserKeyedJwt.AspNetCore.Tests.Support;

namespace UserKeyedJwt.AspNetCore.Tests.IdentityApi.Support;

/// <summary>
/// A minimal app, as aspnetcore's own MapIdentityApi tests build it: a slim WebApplication on a TestServer, an
/// IdentityDbContext on its own SQLite file in a temp folder, <c>AddUserKeyedIdentityApiEndpoints&lt;IdentityUser&gt;()</c>
/// and <c>MapGroup("/identity").MapUserKeyedIdentityApi&lt;IdentityUser&gt;()</c>, a generated server secret, a recording
/// email sender and a counting password hasher. Every log line is captured at Trace and scanned for secrets on dispose.
/// </summary>
public sealed class IdentityApiHost : IAsyncDisposable
{
    public const string Issuer = "https://identity-api.test";
    public const string Audience = "identity-api-tests";

    private readonly string _directory;
    private readonly ConcurrentQueue<string> _seenTokens = new();
    private RecordingSessionStore? _sessions;

    private IdentityApiHost(WebApplication app, string directory, string serverSecret, RecordingEmailSender emails, PasswordHashCounter hashes, CapturedLogs logs)
    {
        App = app;
        _directory = directory;
        ServerSecret = serverSecret;
        Emails = emails;
        Hashes = hashes;
        Logs = logs;
    }

    public WebApplication App { get; }

    public IServiceProvider Services => App.Services;

    public string ServerSecret { get; }

    public RecordingEmailSender Emails { get; }

    public PasswordHashCounter Hashes { get; }

    public CapturedLogs Logs { get; }

    /// <summary>The app's session store, wrapped: records sessions for the log scan, and can fail writes.</summary>
    public RecordingSessionStore Sessions => _sessions ?? throw new InvalidOperationException("The session store was not built.");

    /// <summary>Passwords, 2FA keys, recovery codes and email codes the tests used: none may reach the logs.</summary>
    public ConcurrentQueue<string> Secrets { get; } = new();

    public static async Task<IdentityApiHost> StartAsync(
        Action<IdentityOptions>? identity = null,
        Action<IServiceCollection>? services = null,
        Action<WebApplication>? map = null,
        Action<UserKeyedJwtOptions>? jwt = null,
        string environment = "Production")
    {
        var directory = Path.Combine(Path.GetTempPath(), $"ukjwt-identityapi-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        var serverSecret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var emails = new RecordingEmailSender();
        var hashes = new PasswordHashCounter();
        var logs = new CapturedLogs();

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = environment });
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders().AddProvider(logs).SetMinimumLevel(LogLevel.Trace);

        builder.Services.AddDbContext<IdentityDbContext>(o => o.UseSqlite($"Data Source={Path.Combine(directory, "identity.db")}"));

        // The two lines of the migration: this one, and MapUserKeyedIdentityApi below.
        builder.Services.AddUserKeyedIdentityApiEndpoints<IdentityUser>(identity ?? (static _ => { })).AddEntityFrameworkStores<IdentityDbContext>();
        builder.Services.AddUserKeyedJwt(o =>
        {
            o.Issuer = Issuer;
            o.Audience = Audience;
            o.ServerSecrets.Add(new() { Id = "test", Secret = serverSecret });
            jwt?.Invoke(o);
        });

        // Identity's real hasher at a lower PBKDF2 cost, counted; the V3 format and per-password salts stay.
        builder.Services.Configure<PasswordHasherOptions>(o => o.IterationCount = 1_000);
        builder.Services.Replace(ServiceDescriptor.Scoped<IPasswordHasher<IdentityUser>>(sp =>
            new CountingPasswordHasher(new PasswordHasher<IdentityUser>(sp.GetRequiredService<IOptions<PasswordHasherOptions>>()), hashes)));
        builder.Services.Replace(ServiceDescriptor.Singleton<IEmailSender<IdentityUser>>(emails));
        services?.Invoke(builder.Services);

        IdentityApiHost? host = null;
        var real = builder.Services.Last(d => d.ServiceType == typeof(IUserKeyedSessionStore));
        builder.Services.Replace(ServiceDescriptor.Singleton<IUserKeyedSessionStore>(sp => host!._sessions = new RecordingSessionStore(
            real.ImplementationInstance as IUserKeyedSessionStore
            ?? real.ImplementationFactory?.Invoke(sp) as IUserKeyedSessionStore
            ?? (IUserKeyedSessionStore)ActivatorUtilities.CreateInstance(sp, real.ImplementationType!))));

        var app = builder.Build();
        host = new IdentityApiHost(app, directory, serverSecret, emails, hashes, logs);
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapGroup("/identity").MapUserKeyedIdentityApi<IdentityUser>();
        app.MapGet("/auth/hello", (ClaimsPrincipal user) => $"Hello, {user.Identity?.Name}!").RequireAuthorization();
        map?.Invoke(app);

        await using (var scope = app.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<IdentityDbContext>().Database.EnsureCreatedAsync(TestContext.Current.CancellationToken);
        }

        await app.StartAsync(TestContext.Current.CancellationToken);
        return host;
    }

    /// <summary>A client of the app, sending <paramref name="userAgent"/>; it records every token it sends or receives.</summary>
    public IdentityApiClient Client(string userAgent = "IdentityApiTests/1.0")
    {
        var http = new HttpClient(new TokenRecordingHandler(_seenTokens) { InnerHandler = App.GetTestServer().CreateHandler() })
        {
            BaseAddress = new Uri("http://localhost"),
        };
        http.DefaultRequestHeaders.UserAgent.ParseAdd(userAgent);
        return new IdentityApiClient(http, this);
    }

    /// <summary>Runs <paramref name="change"/> with the app's own user manager in a fresh scope, as app code (an admin) would.</summary>
    public async Task<IdentityResult> ChangeUserAsync(string email, Func<UserManager<IdentityUser>, IdentityUser, Task<IdentityResult>> change)
    {
        await using var scope = Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>();
        var user = await users.FindByEmailAsync(email) ?? throw new InvalidOperationException($"No user {email}.");
        return await change(users, user);
    }

    public async Task<T> WithUserAsync<T>(string email, Func<UserManager<IdentityUser>, IdentityUser, Task<T>> read)
    {
        await using var scope = Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>();
        return await read(users, await users.FindByEmailAsync(email) ?? throw new InvalidOperationException($"No user {email}."));
    }

    public async ValueTask DisposeAsync()
    {
        var databasePath = Path.Combine(_directory, "identity.db");
        var stored = SecretScan.StoredMaterials(databasePath);
        await App.StopAsync(CancellationToken.None);
        await App.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);

        // Every host is scanned, so a leak anywhere fails the test that caused it.
        var secrets = SecretScan.Secrets([ServerSecret], _seenTokens, stored, _sessions?.Seen ?? []).Concat(Secrets);
        var leaks = SecretScan.FindLeaks(Logs.Entries, secrets);
        if (leaks.Count > 0)
        {
            throw new InvalidOperationException("Secrets reached the logs:\n" + string.Join('\n', leaks));
        }
    }
}
