using UserKeyedJwt.EntityFrameworkCore.Tests.Support;
using UserKeyedJwt.ScaleOut.Tests.Support;

namespace UserKeyedJwt.EntityFrameworkCore.Tests;

public sealed class EntityFrameworkCoreUserKeyedSessionStoreOnPostgresTests(SharedPostgres postgres) : EntityFrameworkCoreUserKeyedSessionStoreTests
{
    protected override Task<TestDatabase> CreateDatabaseAsync() => TestDatabase.PostgresAsync(postgres);
}
