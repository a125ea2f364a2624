namespace UserKeyedJwt.ScaleOut.Tests.Support;

/// <summary>
/// One three-node cluster for the tests of a class, started by the first test that asks for it: starting three app
/// processes costs seconds of both cores, so the trials and the fault runs share it (each fault run restores it).
/// </summary>
/// <remarks>
/// The nodes start together against a database that does not exist yet: they must create it, its schema and the admin
/// once, whichever comes first (see <c>SampleDatabase</c>). That also covers the case of an empty database, as the
/// nodes that did not create the database still race for the empty schema.
/// </remarks>
public sealed class SharedCluster : IAsyncDisposable
{
    private readonly SemaphoreSlim _lock = new(1, 1);
    private Cluster? _cluster;

    public async Task<Cluster> GetAsync(SharedPostgres postgres)
    {
        await _lock.WaitAsync(TestContext.Current.CancellationToken);
        try
        {
            return _cluster ??= await Cluster.StartAsync(await postgres.GetAsync(), createDatabase: false);
        }
        finally
        {
            _lock.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }

        _lock.Dispose();
    }
}
