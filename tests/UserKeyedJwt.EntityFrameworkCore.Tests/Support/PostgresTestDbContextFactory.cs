using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace UserKeyedJwt.EntityFrameworkCore.Tests.Support;

/// <summary>For <c>dotnet ef migrations add ... --context PostgresTestDbContext</c>: the model only, no database is opened.</summary>
public sealed class PostgresTestDbContextFactory : IDesignTimeDbContextFactory<PostgresTestDbContext>
{
    public PostgresTestDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresTestDbContext>().UseNpgsql("Host=127.0.0.1;Database=design_time").Options);
}
