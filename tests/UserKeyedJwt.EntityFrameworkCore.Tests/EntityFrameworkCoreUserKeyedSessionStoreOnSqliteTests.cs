using UserKeyedJwt.EntityFrameworkCore.Tests.Support;

namespace UserKeyedJwt.EntityFrameworkCore.Tests;

public sealed class EntityFrameworkCoreUserKeyedSessionStoreOnSqliteTests : EntityFrameworkCoreUserKeyedSessionStoreTests
{
    protected override Task<TestDatabase> CreateDatabaseAsync() => TestDatabase.SqliteAsync();
}
