using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using UserKeyedJwt.Redis.Internal;

namespace UserKeyedJwt.Redis;

/// <summary>
/// An <see cref="IRevokedTokenStore"/> on Redis, shared by every node. Each key expires at the <c>exp</c> of the token it
/// concerns (<c>PXAT</c>), so nothing needs cleaning up and nothing is kept longer than needed. Needs Redis 6.2 or newer.
/// </summary>
/// <remarks>
/// Commands fail fast while the connection is down (no backlog), so an outage is answered within
/// <see cref="RedisRevokedTokenStoreOptions.Timeout"/>: by default, the token is rejected (fail closed).
/// </remarks>
public sealed class RedisRevokedTokenStore : IRevokedTokenStore, IAsyncDisposable, IDisposable
{
    // Atomic "consume once": the first caller stores its time and gets nil; later callers get the first time.
    private const string ConsumeScript = """
        local first = redis.call('GET', KEYS[1])
        if first then return first end
        redis.call('SET', KEYS[1], ARGV[1], 'PXAT', ARGV[2])
        return false
        """;

    private readonly RedisRevokedTokenStoreOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lazy<Task<ConnectionMultiplexer>> _connection;
    private ConnectionMultiplexer? _connected;

    /// <summary>Creates the store; it connects on first use.</summary>
    public RedisRevokedTokenStore(IOptions<RedisRevokedTokenStoreOptions> options, TimeProvider time, ILogger<RedisRevokedTokenStore> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        _options = options.Value;
        if (RedisRevokedTokenStoreOptionsValidator.Problems(_options) is { Count: > 0 } problems)
        {
            throw new InvalidOperationException(string.Join(" ", problems));
        }

        _time = time;
        _logger = logger;
        _connection = new Lazy<Task<ConnectionMultiplexer>>(ConnectAsync);
    }

    /// <inheritdoc />
    public async ValueTask<bool> IsRevokedAsync(string tokenId, string? sessionId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tokenId);
        RedisKey[] keys = sessionId is null ? [Key("j:", tokenId)] : [Key("j:", tokenId), Key("s:", sessionId)];
        return await RunAsync("EXISTS", db => db.KeyExistsAsync(keys), cancellationToken).ConfigureAwait(false) > 0;
    }

    /// <inheritdoc />
    public ValueTask RevokeTokenAsync(string tokenId, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tokenId);
        return SetUntilAsync(Key("j:", tokenId), expiresAt, cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask RevokeSessionAsync(string sessionId, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        return SetUntilAsync(Key("s:", sessionId), expiresAt, cancellationToken);
    }

    /// <inheritdoc />
    public async ValueTask<DateTimeOffset?> TryConsumeAsync(string tokenId, DateTimeOffset now, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tokenId);
        var result = await RunAsync(
            "CONSUME",
            db => db.ScriptEvaluateAsync(ConsumeScript, [Key("c:", tokenId)], [now.ToUnixTimeMilliseconds(), UntilMilliseconds(expiresAt)]),
            cancellationToken).ConfigureAwait(false);
        return result.IsNull ? null : DateTimeOffset.FromUnixTimeMilliseconds(long.Parse((string)result!, NumberStyles.Integer, CultureInfo.InvariantCulture));
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _connected, null) is { } connection)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Interlocked.Exchange(ref _connected, null)?.Dispose();
    }

    private async ValueTask SetUntilAsync(RedisKey key, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        if (expiresAt <= _time.GetUtcNow())
        {
            // The token has expired already: nothing to remember.
            return;
        }

        // PXAT: the key expires exactly when the token does, on the token's own clock; no cleanup job.
        await RunAsync("SET", db => db.ExecuteAsync("SET", key, "1", "PXAT", UntilMilliseconds(expiresAt)), cancellationToken).ConfigureAwait(false);
    }

    private static long UntilMilliseconds(DateTimeOffset expiresAt) => expiresAt.ToUnixTimeMilliseconds();

    private RedisKey Key(string kind, string id) => new(_options.KeyPrefix + kind + id);

    private async Task<T> RunAsync<T>(string operation, Func<IDatabase, Task<T>> command, CancellationToken cancellationToken)
    {
        try
        {
            // Inside the try: with a fail-fast backlog a command on a broken connection may throw before returning a task.
            var db = await DatabaseAsync().ConfigureAwait(false);
            return await command(db).WaitAsync(_options.Timeout, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Log.CommandFailed(_logger, operation, ex.GetType().FullName ?? ex.GetType().Name);
            throw;
        }
    }

    private async Task<IDatabase> DatabaseAsync()
    {
        var connection = await _connection.Value.ConfigureAwait(false);
        return connection.GetDatabase();
    }

    private async Task<ConnectionMultiplexer> ConnectAsync()
    {
        // Fail fast while disconnected: a queued revocation check would hold the request; an error fails closed at once.
        var configuration = RedisSettings.Client(_options.Configuration!, _options.Timeout);
        var connection = await ConnectionMultiplexer.ConnectAsync(configuration).ConfigureAwait(false);
        connection.ConnectionFailed += (_, e) => Log.ConnectionFailed(_logger, e.EndPoint?.ToString() ?? "?", e.FailureType.ToString());
        connection.ConnectionRestored += (_, e) => Log.ConnectionRestored(_logger, e.EndPoint?.ToString() ?? "?");
        _connected = connection;
        return connection;
    }
}
