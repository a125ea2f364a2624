using Microsoft.EntityFrameworkCore;

namespace UserKeyedJwt.EntityFrameworkCore.Tests.Support;

/// <summary>The test context on SQLite, with its migrations in Migrations/Sqlite.</summary>
public sealed class SqliteTestDbContext(DbContextOptions<SqliteTestDbContext> options) : TestDbContext(options);
