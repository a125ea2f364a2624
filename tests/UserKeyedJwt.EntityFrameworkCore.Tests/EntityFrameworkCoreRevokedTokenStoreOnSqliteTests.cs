using UserKeyedJwt.EntityFrameworkCore.Tests.Support;

namespace UserKeyedJwt.EntityFrameworkCore.Tests;

public sealed class EntityFrameworkCoreRevokedTokenStoreOnSqliteTests : EntityFrameworkCoreRevokedTokenStoreTests
{
    protected override Task<TestDatabase> CreateDatabaseAsync() => TestDatabase.SqliteAsync();
}
