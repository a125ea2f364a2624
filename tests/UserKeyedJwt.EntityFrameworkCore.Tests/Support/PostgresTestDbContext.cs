using Microsoft.EntityFrameworkCore;

namespace UserKeyedJwt.EntityFrameworkCore.Tests.Support;

/// <summary>The test context on PostgreSQL, with its migrations in Migrations/Postgres.</summary>
public sealed class PostgresTestDbContext(DbContextOptions<PostgresTestDbContext> options) : TestDbContext(options);
