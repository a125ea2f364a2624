namespace UserKeyedJwt.ScaleOut.Tests.Support;

/// <summary>
/// One PostgreSQL server for the whole run (each cluster gets a database of its own on it), started by the first test
/// that asks for it and stopped at the end. A missing PostgreSQL skips (or, under CI=true, fails) every test that asks.
/// </summary>
public sealed class SharedPostgres : IAsyncDisposable
{
    private readonly Lock _lock = new();
    private Task<PostgresServer>? _server;

    public Task<PostgresServer> GetAsync()
    {
        lock (_lock)
        {
            return _server ??= PostgresServer.StartAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        Task<PostgresServer>? server;
        lock (_lock)
        {
            server = _server;
        }

        if (server is { IsCompletedSuccessfully: true })
        {
            await (await server).DisposeAsync();
        }
    }
}
