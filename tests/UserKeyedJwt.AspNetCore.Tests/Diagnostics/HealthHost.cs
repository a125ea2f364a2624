using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using UserKeyedJwt.EntityFrameworkCore;
using UserKeyedJwt.Redis;

namespace UserKeyedJwt.AspNetCore.Tests.Diagnostics;

/// <summary>
/// An app as a user writes it: the core, sessions in the EF Core store on a SQLite file, optionally the Redis bus, and
/// <c>AddHealthChecks().AddUserKeyedJwt()</c> mapped at <c>/health</c>, on the test server. The endpoint writes each check
/// as <c>name=status: description</c>, one a line, after the overall status.
/// </summary>
internal sealed class HealthHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private HealthHost(WebApplication app, string databasePath)
    {
        _app = app;
        DatabasePath = databasePath;
        Client = app.GetTestClient();
    }

    public string DatabasePath { get; }

    public HttpClient Client { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<HealthHost> StartAsync(Action<RedisUserKeyInvalidationOptions>? redis = null, bool sessions = true)
    {
        var path = Path.Combine(Path.GetTempPath(), $"ukjwt-health-{Guid.NewGuid():N}.db");
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Services.AddDbContext<HealthDbContext>(o => o.UseSqlite($"Data Source={path};Pooling=False"));
        builder.Services.AddSingleton<IUserKeyInputsSource>(new InMemoryUserKeyInputsSource());
        builder.Services.AddUserKeyedJwt(o =>
        {
            o.Issuer = "https://issuer.test";
            o.Audience = "api.test";
            o.StoreTimeout = TimeSpan.FromSeconds(2);
            o.ServerSecrets.Add(new ServerSecretOptions { Id = "s1", Secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) });
        });
        if (sessions)
        {
            builder.Services.AddUserKeyedJwtSessions();
            builder.Services.AddUserKeyedJwtEntityFrameworkCoreStores<HealthDbContext>();
        }

        if (redis is not null)
        {
            builder.Services.AddUserKeyedJwtRedisInvalidation(redis);
        }

        builder.Services.AddHealthChecks().AddUserKeyedJwt();
        var app = builder.Build();
        app.MapHealthChecks("/health", new HealthCheckOptions
        {
            ResponseWriter = static (context, report) => context.Response.WriteAsync(
                report.Status + "\n" + string.Concat(report.Entries.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => $"{e.Key}={e.Value.Status}: {e.Value.Description}\n"))),
        });
        await using (var scope = app.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<HealthDbContext>().Database.EnsureCreatedAsync();
        }

        await app.StartAsync();
        return new HealthHost(app, path);
    }

    public async Task<(int Status, string Body)> GetHealthAsync()
    {
        using var response = await Client.GetAsync(new Uri("/health", UriKind.Relative), TestContext.Current.CancellationToken);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    /// <summary>Polls <c>/health</c> until its body contains <paramref name="expected"/>; returns the last answer.</summary>
    public async Task<(int Status, string Body)> WaitForHealthAsync(string expected, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (true)
        {
            var answer = await GetHealthAsync();
            if (answer.Body.Contains(expected, StringComparison.Ordinal) || DateTime.UtcNow > deadline)
            {
                return answer;
            }

            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>Overwrites the database file with bytes that are not SQLite: the store's next read fails.</summary>
    public void BreakDatabase()
    {
        SqliteConnection.ClearAllPools();
        File.WriteAllBytes(DatabasePath, Encoding.ASCII.GetBytes(new string('x', 4096)));
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        SqliteConnection.ClearAllPools();
        File.Delete(DatabasePath);
    }
}

/// <summary>
/// The host's own context: EF Core caches a context type's model process-wide, and the sample's, built here without the
/// sample's Identity options, would then disagree with the sample's migrations in every other test.
/// </summary>
internal sealed class HealthDbContext(DbContextOptions<HealthDbContext> options) : DbContext(options), IUserKeyedJwtDbContext
{
    public DbSet<UserKeyedSessionEntity> UserKeyedSessions => Set<UserKeyedSessionEntity>();

    public DbSet<UserKeyedRevokedTokenEntity> UserKeyedRevokedTokens => Set<UserKeyedRevokedTokenEntity>();
}
