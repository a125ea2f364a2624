using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using UserKeyedJwt.ScaleOut.Tests.Support;

namespace UserKeyedJwt.EntityFrameworkCore.Tests.Support;

/// <summary>
/// A real database of the test context, migrated, and a container with the stores over it: a SQLite file in a temporary
/// directory, or a database of its own on the run's PostgreSQL server.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private readonly ServiceProvider _provider;
    private readonly Type _contextType;
    private readonly Action _drop;

    private TestDatabase(ServiceProvider provider, Type contextType, Action drop)
    {
        _provider = provider;
        _contextType = contextType;
        _drop = drop;
    }

    public IServiceProvider Services => _provider;

    public IUserKeyedSessionStore Sessions => _provider.GetRequiredService<IUserKeyedSessionStore>();

    public IRevokedTokenStore RevokedTokens => _provider.GetRequiredService<IRevokedTokenStore>();

    /// <summary>A SQLite file in a new temporary directory, with the default journal; <paramref name="configure"/> adds to the container.</summary>
    public static async Task<TestDatabase> SqliteAsync(Action<IServiceCollection>? configure = null)
    {
        var directory = Directory.CreateTempSubdirectory("ukjwt-ef-").FullName;

        // Concurrent writers on one file wait for its lock up to the Default Timeout, retrying inside Microsoft.Data.Sqlite.
        var connectionString = new SqliteConnectionStringBuilder { DataSource = Path.Combine(directory, "test.db"), DefaultTimeout = 30, Pooling = true }.ToString();
        var services = new ServiceCollection();
        services.AddDbContext<SqliteTestDbContext>(o => o.UseSqlite(connectionString));
        services.AddUserKeyedJwtEntityFrameworkCoreStores<SqliteTestDbContext>();
        configure?.Invoke(services);
        return await MigrateAsync(new TestDatabase(Build(services), typeof(SqliteTestDbContext), () =>
        {
            // Pooled connections keep the file open.
            using (var connection = new SqliteConnection(connectionString))
            {
                SqliteConnection.ClearPool(connection);
            }

            Directory.Delete(directory, recursive: true);
        }));
    }

    /// <summary>A new database on the run's PostgreSQL server, created by the migration.</summary>
    public static async Task<TestDatabase> PostgresAsync(SharedPostgres shared, Action<IServiceCollection>? configure = null)
    {
        var server = await shared.GetAsync();
        var connectionString = server.ConnectionString(server.NewDatabaseName());
        var services = new ServiceCollection();
        services.AddDbContext<PostgresTestDbContext>(o => o.UseNpgsql(connectionString));
        services.AddUserKeyedJwtEntityFrameworkCoreStores<PostgresTestDbContext>();
        configure?.Invoke(services);
        return await MigrateAsync(new TestDatabase(Build(services), typeof(PostgresTestDbContext), () =>
        {
            // Idle pooled connections would otherwise stay open for minutes, one pool per test's database.
            using var connection = new NpgsqlConnection(connectionString);
            NpgsqlConnection.ClearPool(connection);
        }));
    }

    /// <summary>Runs <paramref name="query"/> on a context of its own scope.</summary>
    public async Task<T> QueryAsync<T>(Func<TestDbContext, Task<T>> query)
    {
        using var scope = _provider.CreateScope();
        return await query((TestDbContext)scope.ServiceProvider.GetRequiredService(_contextType));
    }

    public Task<List<UserKeyedSessionEntity>> SessionRowsAsync() =>
        QueryAsync(c => c.UserKeyedSessions.AsNoTracking().OrderBy(s => s.Id).ToListAsync());

    public Task<List<UserKeyedRevokedTokenEntity>> RevokedTokenRowsAsync() =>
        QueryAsync(c => c.UserKeyedRevokedTokens.AsNoTracking().OrderBy(t => t.UserId).ThenBy(t => t.TokenId).ToListAsync());

    public async ValueTask DisposeAsync()
    {
        await _provider.DisposeAsync();
        _drop();
    }

    private static ServiceProvider Build(ServiceCollection services) =>
        services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

    private static async Task<TestDatabase> MigrateAsync(TestDatabase database)
    {
        try
        {
            await database.QueryAsync(async c =>
            {
                await c.Database.MigrateAsync();
                return true;
            });
            return database;
        }
        catch
        {
            await database.DisposeAsync();
            throw;
        }
    }
}
