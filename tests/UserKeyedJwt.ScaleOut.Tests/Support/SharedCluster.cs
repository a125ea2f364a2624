namespace UserKeyedJwt.ScaleOut.Tests.Support;

/// <summary>One three-node cluster for the tests of a class, started by the first test that asks for it.</summary>
public sealed class SharedCluster : IAsyncDisposable
{
    private readonly SemaphoreSlim _lock = new(1, 1);
    private Cluster? _cluster;

    public async Task<Cluster> GetAsync(SharedPostgres postgres)
    {
        await _lock.WaitAsync(TestContext.Current.CancellationToken);
        try
        {
            return _cluster ??= await Cluster.StartAsync(await postgres.GetAsync());
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
