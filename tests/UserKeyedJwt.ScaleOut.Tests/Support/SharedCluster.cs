namespace UserKeyedJwt.ScaleOut.Tests.Support;

/// <summary>
/// One three-node cluster for the tests of a class, started by the first test that asks for it: starting three app
/// processes costs seconds of both cores, so the trials and the fault runs share it (each fault run restores it).
/// </summary>
/// <remarks>
/// <para>
/// The nodes start together against a database that does not exist yet: they must create it, its schema and the admin
/// once, whichever comes first (see <c>SampleDatabase</c>). That also covers the case of an empty database, as the
/// nodes that did not create the database still race for the empty schema.
/// </para>
/// <para>
/// The revocation list (jti and session denylist) lives on the same Redis as the invalidation bus. With its default,
/// <c>FailClosed</c>, every session-bound access token gets 401 while Redis is down (pinned by the Redis store's own tests),
/// so the cluster runs with <c>UserKeyedJwt:Sessions:RevocationStoreFailure=FailOpen</c>: during the Redis fault run the
/// per-user key check is then what stands between a revoked token and the API, which is what that run is about. While
/// Redis is up the setting changes nothing.
/// </para>
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
            return _cluster ??= await Cluster.StartAsync(
                await postgres.GetAsync(),
                new Dictionary<string, string> { ["UserKeyedJwt__Sessions__RevocationStoreFailure"] = "FailOpen" },
                createDatabase: false);
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
