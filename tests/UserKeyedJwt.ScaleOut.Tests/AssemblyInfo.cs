using UserKeyedJwt.ScaleOut.Tests.Support;

// Each test runs a PostgreSQL server, a redis-server and three app processes on a 2-core machine: one at a time.
[assembly: CollectionBehavior(CollectionBehavior.CollectionPerAssembly)]
[assembly: AssemblyFixture(typeof(SharedPostgres))]
