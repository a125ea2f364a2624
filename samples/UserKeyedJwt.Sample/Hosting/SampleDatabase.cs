using Microsoft.AspNetCore.Identity;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Options;
using Npgsql;
using UserKeyedJwt.Sample.Data;

namespace UserKeyedJwt.Sample.Hosting;

/// <summary>
/// Where the users live (SQLite by default, PostgreSQL when <c>ConnectionStrings:Users</c> is set), and what happens to the
/// database at startup.
/// </summary>
internal static partial class SampleDatabase
{
    public const string ConnectionStringName = "Sample";
    public const string PostgreSqlConnectionStringName = "Users";
    public const string AdminRole = "admin";
    public const string AdminEmailSetting = "Sample:Admin:Email";
    public const string AdminPasswordSetting = "Sample:Admin:Password";

    // Held by the node that creates the schema and seeds the admin, so that nodes starting together against one empty
    // PostgreSQL database take turns: the first creates, the others find the tables and the admin there. Any fixed number
    // would do; this one is "UKJWTSMP" in ASCII.
    private const long SchemaLockKey = 0x554B_4A57_5453_4D50;
    private const int SchemaLockTimeoutSeconds = 120;

    /// <summary>
    /// Registers the context of each provider, and <see cref="SampleDbContext"/> as the one the configuration chooses:
    /// PostgreSQL when <c>ConnectionStrings:Users</c> is set, otherwise SQLite from <c>ConnectionStrings:Sample</c>. The choice
    /// is made per scope, so that settings added by a test host are seen.
    /// </summary>
    public static void AddSampleDatabase(this IServiceCollection services)
    {
        services.AddDbContext<SqliteSampleDbContext>(static (sp, options) =>
            options.UseSqlite(ConnectionString(sp.GetRequiredService<IConfiguration>(), sp.GetRequiredService<IHostEnvironment>())));
        services.AddDbContext<PostgreSqlSampleDbContext>(static (sp, options) =>
            options.UseNpgsql(PostgreSqlConnectionString(sp.GetRequiredService<IConfiguration>())));
        services.AddScoped<SampleDbContext>(static sp => PostgreSqlConnectionString(sp.GetRequiredService<IConfiguration>()) is null
            ? sp.GetRequiredService<SqliteSampleDbContext>()
            : sp.GetRequiredService<PostgreSqlSampleDbContext>());
    }

    /// <summary>The PostgreSQL connection string (<c>ConnectionStrings:Users</c>), or null when the sample runs on SQLite.</summary>
    public static string? PostgreSqlConnectionString(IConfiguration configuration)
    {
        var configured = configuration.GetConnectionString(PostgreSqlConnectionStringName);
        if (string.IsNullOrWhiteSpace(configured))
        {
            return null;
        }

        try
        {
            return new NpgsqlConnectionStringBuilder(configured).ConnectionString;
        }
        catch (ArgumentException ex)
        {
            // The parser's message names the keyword, never the value; the connection string itself may hold a password.
            throw new InvalidOperationException($"ConnectionStrings:{PostgreSqlConnectionStringName} is not a PostgreSQL (Npgsql) connection string, such as \"Host=db;Database=users;Username=app;Password=...\": {ex.Message}", ex);
        }
    }

    /// <summary>The configured SQLite connection string, with a relative file path resolved against the content root.</summary>
    public static string ConnectionString(IConfiguration configuration, IHostEnvironment environment)
    {
        var configured = configuration.GetConnectionString(ConnectionStringName);
        if (string.IsNullOrWhiteSpace(configured))
        {
            throw new InvalidOperationException($"ConnectionStrings:{ConnectionStringName} is not set; it names the SQLite database, for example \"Data Source=userkeyedjwt-sample.db\".");
        }

        var builder = new SqliteConnectionStringBuilder(configured);
        if (builder.Mode != SqliteOpenMode.Memory && builder.DataSource is { Length: > 0 } file && file != ":memory:" && !Path.IsPathRooted(file))
        {
            builder.DataSource = Path.GetFullPath(file, environment.ContentRootPath);
        }

        return builder.ToString();
    }

    /// <summary>
    /// Checks the server secret first (so a misconfigured app creates nothing), applies the migrations, seeds the admin. On
    /// PostgreSQL both happen under an advisory lock, so several nodes may start at once against one empty database.
    /// </summary>
    public static async Task InitializeAsync(WebApplication app)
    {
        _ = app.Services.GetRequiredService<IOptions<UserKeyedJwtOptions>>().Value;

        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SampleDbContext>();
        if (!db.Database.IsNpgsql())
        {
            LogUserStore(app.Logger, "SQLite", ConnectionStringName);
            await db.Database.MigrateAsync();
            await SeedAdminAsync(scope.ServiceProvider, app.Configuration, app.Logger);
            return;
        }

        LogUserStore(app.Logger, "PostgreSQL", PostgreSqlConnectionStringName);
        await using var schemaLock = await LockSchemaAsync(db, app.Logger);
        await db.Database.MigrateAsync();
        await SeedAdminAsync(scope.ServiceProvider, app.Configuration, app.Logger);
    }

    /// <summary>
    /// Takes the schema lock on a connection of its own (unpooled, so closing it ends the session and releases the lock
    /// even if the unlock is never sent). A missing database is created first, one node at a time, under the same lock
    /// taken in the server's <c>postgres</c> database.
    /// </summary>
    private static async Task<NpgsqlConnection> LockSchemaAsync(SampleDbContext db, ILogger logger)
    {
        var target = new NpgsqlConnectionStringBuilder(db.Database.GetConnectionString()) { Pooling = false };
        try
        {
            return await OpenLockedAsync(target.ConnectionString, logger);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.InvalidCatalogName)
        {
            var maintenance = new NpgsqlConnectionStringBuilder(target.ConnectionString) { Database = "postgres" };
            await using (await OpenLockedAsync(maintenance.ConnectionString, logger))
            {
                var creator = db.GetService<IRelationalDatabaseCreator>();
                if (!await creator.ExistsAsync())
                {
                    await creator.CreateAsync();
                }
            }

            return await OpenLockedAsync(target.ConnectionString, logger);
        }
    }

    private static async Task<NpgsqlConnection> OpenLockedAsync(string connectionString, ILogger logger)
    {
        var connection = new NpgsqlConnection(connectionString);
        try
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT pg_advisory_lock(@key)", connection) { CommandTimeout = SchemaLockTimeoutSeconds };
            command.Parameters.AddWithValue("key", SchemaLockKey);
            await command.ExecuteNonQueryAsync();
            LogSchemaLocked(logger, connection.Database);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private static async Task SeedAdminAsync(IServiceProvider services, IConfiguration configuration, ILogger logger)
    {
        var email = configuration[AdminEmailSetting];
        var password = configuration[AdminPasswordSetting];
        if (string.IsNullOrWhiteSpace(email) && string.IsNullOrEmpty(password))
        {
            return;
        }

        if (string.IsNullOrWhiteSpace(email) || string.IsNullOrEmpty(password))
        {
            throw new InvalidOperationException($"Set both {AdminEmailSetting} and {AdminPasswordSetting} to seed the admin account, or neither.");
        }

        var roles = services.GetRequiredService<RoleManager<IdentityRole>>();
        if (!await roles.RoleExistsAsync(AdminRole))
        {
            Check(await roles.CreateAsync(new IdentityRole(AdminRole)), "creating the admin role");
        }

        var users = services.GetRequiredService<UserManager<SampleUser>>();
        var admin = await users.FindByEmailAsync(email);
        if (admin is null)
        {
            admin = new SampleUser { UserName = email, Email = email, EmailConfirmed = true, DisplayName = "Administrator" };
            Check(await users.CreateAsync(admin, password), $"creating the admin account from {AdminEmailSetting} and {AdminPasswordSetting}");
            LogAdminSeeded(logger, admin.Id);
        }

        if (!await users.IsInRoleAsync(admin, AdminRole))
        {
            Check(await users.AddToRoleAsync(admin, AdminRole), "adding the admin account to the admin role");
        }
    }

    private static void Check(IdentityResult result, string what)
    {
        if (!result.Succeeded)
        {
            // Error codes and descriptions only: Identity's messages never echo the password.
            throw new InvalidOperationException($"Startup failed while {what}: {string.Join(" ", result.Errors.Select(e => $"{e.Code}: {e.Description}"))}");
        }
    }

    [LoggerMessage(EventId = 9005, EventName = "UserStore", Level = LogLevel.Information, Message = "Users: {Provider} (ConnectionStrings:{ConnectionStringName}).")]
    private static partial void LogUserStore(ILogger logger, string provider, string connectionStringName);

    [LoggerMessage(EventId = 9006, EventName = "SchemaLocked", Level = LogLevel.Debug, Message = "Holding the schema lock in database {Database} while the schema is checked and the admin seeded.")]
    private static partial void LogSchemaLocked(ILogger logger, string database);

    [LoggerMessage(EventId = 9002, EventName = "AdminSeeded", Level = LogLevel.Information, Message = "Seeded the admin account {UserId}.")]
    private static partial void LogAdminSeeded(ILogger logger, string userId);
}
