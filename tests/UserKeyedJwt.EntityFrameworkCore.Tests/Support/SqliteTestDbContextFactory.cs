using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace UserKeyedJwt.EntityFrameworkCore.Tests.Support;

/// <summary>For <c>dotnet ef migrations add ... --context SqliteTestDbContext</c>: the model only, no database is opened.</summary>
public sealed class SqliteTestDbContextFactory : IDesignTimeDbContextFactory<SqliteTestDbContext>
{
    public SqliteTestDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteTestDbContext>().UseSqlite("Data Source=design-time.db").Options);
}
