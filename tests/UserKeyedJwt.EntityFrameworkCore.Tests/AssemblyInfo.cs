using UserKeyedJwt.ScaleOut.Tests.Support;

// One PostgreSQL server for the run; each test class migrates a database of its own on it.
[assembly: AssemblyFixture(typeof(SharedPostgres))]
