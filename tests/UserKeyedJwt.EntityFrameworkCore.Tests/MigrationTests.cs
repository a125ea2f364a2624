using Microsoft.EntityFrameworkCore;
using UserKeyedJwt.EntityFrameworkCore.Tests.Support;
using UserKeyedJwt.ScaleOut.Tests.Support;

namespace UserKeyedJwt.EntityFrameworkCore.Tests;

/// <summary>
/// The attributes alone configure the model: an Identity context that only declares the two sets migrates on SQLite and on
/// PostgreSQL, and its migrations (Migrations/Sqlite, Migrations/Postgres) are up to date with the entity classes.
/// </summary>
public sealed class MigrationTests(SharedPostgres postgres)
{
    public static TheoryData<string> Providers => ["sqlite", "postgres"];

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Migrations_MatchTheModel(string provider)
    {
        await using var database = await CreateAsync(provider);

        await database.QueryAsync(async context =>
        {
            Assert.False(context.Database.HasPendingModelChanges());
            Assert.Empty(await context.Database.GetPendingMigrationsAsync());
            Assert.Single(await context.Database.GetAppliedMigrationsAsync(), m => m.EndsWith("_Initial", StringComparison.Ordinal));
            return true;
        });
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Migrate_CreatesTheTablesWithTheirIndexes(string provider)
    {
        await using var database = await CreateAsync(provider);

        var indexes = await database.QueryAsync(context => context.Database.SqlQueryRaw<string>(provider == "sqlite"
            ? "SELECT name AS \"Value\" FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('UserKeyedSessions', 'UserKeyedRevokedTokens')"
            : "SELECT indexname AS \"Value\" FROM pg_indexes WHERE tablename IN ('UserKeyedSessions', 'UserKeyedRevokedTokens')").ToListAsync());

        Assert.Equal(
            ["IX_UserKeyedRevokedTokens_ExpiresAt", "IX_UserKeyedSessions_ExpiresAt", "IX_UserKeyedSessions_LastRefreshedAt", "IX_UserKeyedSessions_UserId_LastRefreshedAt"],
            indexes.Where(i => i.StartsWith("IX_", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
    }

    private Task<TestDatabase> CreateAsync(string provider) => provider == "sqlite" ? TestDatabase.SqliteAsync() : TestDatabase.PostgresAsync(postgres);
}
