using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace UserKeyedJwt.LoadTest;

internal sealed class LoadTestDbContext(DbContextOptions<LoadTestDbContext> options) : IdentityUserContext<IdentityUser>(options);

/// <summary>
/// The user store: PostgreSQL when <c>ConnectionStrings:Users</c> is set, else the SQLite file <c>ConnectionStrings:LoadTest</c>,
/// or a new SQLite file in the temp directory, deleted at shutdown.
/// </summary>
internal sealed class LoadTestDatabase
{
    public const string ConnectionStringName = "LoadTest";
    public const string PostgresConnectionStringName = "Users";

    private readonly string? _temporaryFile;

    private LoadTestDatabase(string connectionString, bool postgres, string? temporaryFile)
    {
        ConnectionString = connectionString;
        IsPostgres = postgres;
        _temporaryFile = temporaryFile;
    }

    public string ConnectionString { get; }

    public bool IsPostgres { get; }

    public static LoadTestDatabase From(IConfiguration configuration)
    {
        if (configuration.GetConnectionString(PostgresConnectionStringName) is { Length: > 0 } postgres)
        {
            return new LoadTestDatabase(postgres, postgres: true, null);
        }

        if (configuration.GetConnectionString(ConnectionStringName) is { Length: > 0 } configured)
        {
            return new LoadTestDatabase(configured, postgres: false, null);
        }

        var file = Path.Combine(Path.GetTempPath(), $"userkeyedjwt-loadtest-{Guid.NewGuid():N}.db");
        return new LoadTestDatabase(new SqliteConnectionStringBuilder { DataSource = file }.ToString(), postgres: false, file);
    }

    public void Configure(DbContextOptionsBuilder options)
    {
        if (IsPostgres)
        {
            options.UseNpgsql(ConnectionString);
        }
        else
        {
            options.UseSqlite(ConnectionString);
        }
    }

    public async Task CreateAsync(WebApplication app)
    {
        await using (var scope = app.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<LoadTestDbContext>().Database.EnsureCreatedAsync();
        }

        if (_temporaryFile is { } file)
        {
            app.Lifetime.ApplicationStopped.Register(() =>
            {
                SqliteConnection.ClearAllPools();
                foreach (var path in new[] { file, file + "-wal", file + "-shm" })
                {
                    File.Delete(path);
                }
            });
        }
    }
}
