namespace UserKeyedJwt.Tool.Configuration;

/// <summary>The database that holds the Identity tables and the session store.</summary>
internal enum DatabaseProvider
{
    Sqlite,
    PostgreSql,
}
