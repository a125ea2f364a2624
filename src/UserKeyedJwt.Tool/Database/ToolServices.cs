using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using UserKeyedJwt.EntityFrameworkCore;
using UserKeyedJwt.Tool.Configuration;

namespace UserKeyedJwt.Tool.Database;

/// <summary>
/// The library's own services over the app's settings and, when given, its database: the tool validates and issues with the
/// very handler and issuer the app runs, so its verdict cannot drift from the app's.
/// </summary>
internal static class ToolServices
{
    public static ServiceProvider Build(AppSettings settings, string? connectionString, DatabaseProvider provider, StoreFailures failures, IUserKeyInputsSource? offline)
    {
        var services = new ServiceCollection();

        // No logging provider: the library's log lines carry user ids and reasons the tool prints its own way.
        services.AddLogging();
        services.AddUserKeyedJwt();
        services.AddOptions<UserKeyedJwtOptions>().Bind(settings.Options);

        // The app's timeout guards requests; a fresh process builds EF Core's model on its first query, which may take longer.
        services.PostConfigure<UserKeyedJwtOptions>(static options => options.StoreTimeout = TimeSpan.FromMinutes(1));
        services.AddSingleton(failures);
        if (connectionString is null)
        {
            services.AddSingleton(offline ?? throw new ArgumentNullException(nameof(offline)));
            return services.BuildServiceProvider();
        }

        services.AddDbContext<ToolDbContext>(options => _ = provider == DatabaseProvider.Sqlite
            ? options.UseSqlite(ReadOnly(connectionString))
            : options.UseNpgsql(connectionString));
        services.AddSingleton<IUserKeyInputsSource, DatabaseKeyInputsSource>();
        services.AddSingleton<IUserKeyedSessionStore>(static sp => new RecordingSessionStore(
            new EntityFrameworkCoreUserKeyedSessionStore<ToolDbContext>(sp.GetRequiredService<IServiceScopeFactory>()), sp.GetRequiredService<StoreFailures>()));
        services.AddSingleton<IRevokedTokenStore>(static sp => new RecordingRevokedTokenStore(
            new EntityFrameworkCoreRevokedTokenStore<ToolDbContext>(sp.GetRequiredService<IServiceScopeFactory>()), sp.GetRequiredService<StoreFailures>()));
        return services.BuildServiceProvider();
    }

    /// <summary>
    /// Reads each table once before the validation does, so that a missing database or table is reported with its error even
    /// when the validation never gets to it, and the first query's cost falls outside the validator's store timeout.
    /// </summary>
    public static async Task<bool> CheckDatabaseAsync(IServiceProvider services, StoreFailures failures, CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ToolDbContext>();
        var ok = true;
        foreach (var (table, read) in new (string, Func<CancellationToken, Task<bool>>)[]
        {
            ("AspNetUsers", ct => db.Users.AnyAsync(u => u.Id == "", ct)),
            ("UserKeyedSessions", ct => db.UserKeyedSessions.AnyAsync(s => s.Id == "", ct)),
            ("UserKeyedRevokedTokens", ct => db.UserKeyedRevokedTokens.AnyAsync(t => t.UserId == "", ct)),
        })
        {
            try
            {
                _ = await read(cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                failures.Record(table, ex);
                ok = false;
            }
        }

        return ok;
    }

    /// <summary>The validated options, or a usage error that carries the validator's messages (which name settings, never values).</summary>
    public static UserKeyedJwtOptions Options(IServiceProvider services, AppSettings settings)
    {
        try
        {
            return services.GetRequiredService<IOptions<UserKeyedJwtOptions>>().Value;
        }
        catch (OptionsValidationException ex)
        {
            throw new UsageException($"the app's settings (section {settings.Section}, environment {settings.Environment}, project {settings.ProjectDirectory}) are invalid: {ex.Message}");
        }
    }

    public static T Get<T>(IServiceProvider services, AppSettings settings)
        where T : notnull
    {
        _ = Options(services, settings);
        try
        {
            return services.GetRequiredService<T>();
        }
        catch (InvalidOperationException ex)
        {
            throw new UsageException($"the app's server secrets (section {settings.Section}:ServerSecrets) are unusable: {ex.Message}");
        }
    }

    // The tool never creates or changes the app's database: a missing file is an error, not a new empty database.
    private static string ReadOnly(string connectionString) =>
        new SqliteConnectionStringBuilder(connectionString) { Mode = SqliteOpenMode.ReadOnly }.ToString();
}
