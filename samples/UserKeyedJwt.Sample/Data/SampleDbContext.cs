using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using UserKeyedJwt.EntityFrameworkCore;

namespace UserKeyedJwt.Sample.Data;

/// <summary>
/// The sample's Identity context, with UserKeyedJwt's sessions and denylist beside the users. One subclass per provider
/// carries that provider's migrations (SQLite's and PostgreSQL's column types differ).
/// </summary>
internal abstract class SampleDbContext(DbContextOptions options) : IdentityDbContext<SampleUser, IdentityRole, string>(options), IUserKeyedJwtDbContext
{
    public DbSet<UserKeyedSessionEntity> UserKeyedSessions => Set<UserKeyedSessionEntity>();

    public DbSet<UserKeyedRevokedTokenEntity> UserKeyedRevokedTokens => Set<UserKeyedRevokedTokenEntity>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.Entity<SampleUser>().Property(u => u.DisplayName).HasMaxLength(SampleUser.MaxDisplayNameLength);
    }
}

/// <summary>The sample's context on SQLite, with its migrations in Data/Migrations/Sqlite.</summary>
internal sealed class SqliteSampleDbContext(DbContextOptions<SqliteSampleDbContext> options) : SampleDbContext(options);

/// <summary>The sample's context on PostgreSQL, with its migrations in Data/Migrations/PostgreSql.</summary>
internal sealed class PostgreSqlSampleDbContext(DbContextOptions<PostgreSqlSampleDbContext> options) : SampleDbContext(options);
