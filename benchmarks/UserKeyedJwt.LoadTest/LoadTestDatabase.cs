using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace UserKeyedJwt.LoadTest;

internal sealed class LoadTestDbContext(DbContextOptions<LoadTestDbContext> options) : IdentityUserContext<IdentityUser>(options);

/// <summary>The SQLite file: <c>ConnectionStrings:LoadTest</c>, or a new one in the temp directory, deleted at shutdown.</summary>
internal sealed class LoadTestDatabase
{
    public const string ConnectionStringName = "LoadTest";

    private readonly string? _temporaryFile;

    private LoadTestDatabase(string connectionString, string? temporaryFile)
    {
        ConnectionString = connectionString;
        _temporaryFile = temporaryFile;
    }

    public string ConnectionString { get; }

    public static LoadTestDatabase From(IConfiguration configuration)
    {
        if (configuration.GetConnectionString(ConnectionStringName) is { Length: > 0 } configured)
        {
            return new LoadTestDatabase(configured, null);
        }

        var file = Path.Combine(Path.GetTempPath(), $"userkeyedjwt-loadtest-{Guid.NewGuid():N}.db");
        return new LoadTestDatabase(new SqliteConnectionStringBuilder { DataSource = file }.ToString(), file);
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
