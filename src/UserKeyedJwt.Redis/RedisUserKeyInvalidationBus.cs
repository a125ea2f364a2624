using System.Diagnostics.Metrics;
using System.Globalization;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using UserKeyedJwt.Redis.Internal;

namespace UserKeyedJwt.Redis;

/// <summary>
/// An <see cref="IUserKeyInvalidationBus"/> on Redis pub/sub: every node publishes the users whose key inputs it changed and
/// drops the users that other nodes publish. Each node also publishes a heartbeat and trusts its key cache only while it
/// receives its own heartbeats back, so a subscription that is down, reconnecting or silently broken makes the node read
/// through to the user store instead of serving keys that a missed message should have dropped.
/// </summary>
/// <remarks>
/// Pub/sub is fire-and-forget: a node that is disconnected when a message is sent never gets it. That is why the cache is
/// cleared on every loss and every recovery of the channel. A publish that fails is retried in order until it succeeds or
/// until the key-cache TTL has passed (by then every other node's cached key has expired anyway).
/// </remarks>
public sealed class RedisUserKeyInvalidationBus : IUserKeyInvalidationBus, IAsyncDisposable, IDisposable
{
    private const int OutboxCapacity = 100_000;
    private const string InvalidationKind = "i";
    private const string HeartbeatKind = "h";

    private readonly RedisUserKeyInvalidationOptions _options;
    private readonly TimeSpan _retryFor;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly RedisChannel _channel;
    private readonly string _node = Guid.NewGuid().ToString("N");
    private readonly Channel<Pending> _outbox;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _state = new();
    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Counter<long> _published;
    private readonly Counter<long> _received;
    private readonly Counter<long> _publishFailures;
    private IUserKeyInvalidationListener? _listener;
    private ConnectionMultiplexer? _connection;
    private Task _running = Task.CompletedTask;
    private bool _connected;
    private long _sentHeartbeat;
    private long _heartbeatAtLoss;
    private long _lastHeartbeatReceivedAt;
    private int _disposed;

    /// <summary>Creates the bus; it connects when the key cache subscribes.</summary>
    public RedisUserKeyInvalidationBus(
        IOptions<RedisUserKeyInvalidationOptions> options,
        IOptions<UserKeyedJwtOptions> coreOptions,
        TimeProvider time,
        ILogger<RedisUserKeyInvalidationBus> logger,
        IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(coreOptions);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        _options = options.Value;
        if (RedisUserKeyInvalidationOptionsValidator.Problems(_options) is { Count: > 0 } problems)
        {
            throw new InvalidOperationException(string.Join(" ", problems));
        }

        _retryFor = coreOptions.Value.KeyCacheTtl;
        _time = time;
        _logger = logger;
        _channel = RedisChannel.Literal(_options.Channel);
        _outbox = Channel.CreateBounded<Pending>(
            new BoundedChannelOptions(OutboxCapacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
            _ => Log.InvalidationOutboxFull(_logger));
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(UserKeyedJwtDiagnostics.MeterName) ?? new Meter(UserKeyedJwtDiagnostics.MeterName);
        _published = _meter.CreateCounter<long>("userkeyedjwt.invalidation_bus.published", "{message}", "Key invalidations published to other nodes.");
        _received = _meter.CreateCounter<long>("userkeyedjwt.invalidation_bus.received", "{message}", "Key invalidations received from other nodes.");
        _publishFailures = _meter.CreateCounter<long>("userkeyedjwt.invalidation_bus.publish_failures", "{attempt}", "Publish attempts of key invalidations that failed and were retried or dropped.");
    }

    /// <summary>Whether this node currently receives its own heartbeats, so that its key cache is in use.</summary>
    public bool IsConnected
    {
        get
        {
            lock (_state)
            {
                return _connected;
            }
        }
    }

    /// <inheritdoc />
    public void Subscribe(IUserKeyInvalidationListener listener)
    {
        ArgumentNullException.ThrowIfNull(listener);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (Interlocked.CompareExchange(ref _listener, listener, null) is not null)
        {
            throw new InvalidOperationException("The Redis invalidation bus serves one key cache; it already has a listener.");
        }

        _running = Task.Run(() => RunGuardedAsync(_stopping.Token));
    }

    /// <inheritdoc />
    public void Publish(string userId)
    {
        ArgumentNullException.ThrowIfNull(userId);
        _outbox.Writer.TryWrite(new Pending(userId, _time.GetTimestamp()));
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        _outbox.Writer.TryComplete();
        await _running.ConfigureAwait(false);

        if (Interlocked.Exchange(ref _connection, null) is { } connection)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }

        _stopping.Dispose();
        DisposeMeter();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        // The loops end on cancellation; closing the connection makes any command in flight fail at once.
        _stopping.Cancel();
        _outbox.Writer.TryComplete();
        Interlocked.Exchange(ref _connection, null)?.Dispose();
        DisposeMeter();
    }

    private void DisposeMeter()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }

    private async Task RunGuardedAsync(CancellationToken stopping)
    {
        try
        {
            await RunAsync(stopping).ConfigureAwait(false);
        }
        catch (Exception ex) when (!stopping.IsCancellationRequested)
        {
            // The cache stays bypassed (never connected, or marked lost here): slower, never wrong.
            Lost($"the bus stopped: {ex.GetType().Name}");
            Log.InvalidationBusStopped(_logger, ex.GetType().FullName ?? ex.GetType().Name);
        }
        catch (Exception) when (stopping.IsCancellationRequested)
        {
            // Stopping: a command in flight may end in its lost connection's exception rather than a cancellation.
        }
    }

    private async Task RunAsync(CancellationToken stopping)
    {
        var configuration = RedisSettings.Client(_options.Configuration!, _options.Timeout);

        // With AbortOnConnectFail off this returns even while Redis is down, and keeps reconnecting in the background.
        var connection = await ConnectionMultiplexer.ConnectAsync(configuration).ConfigureAwait(false);
        connection.ConnectionFailed += (_, e) => Lost($"connection failed: {e.FailureType}");
        connection.ConnectionRestored += (_, _) => _ = HeartbeatAsync(connection, stopping);
        if (Interlocked.CompareExchange(ref _connection, connection, null) is not null || stopping.IsCancellationRequested)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            return;
        }

        await SubscribeAsync(connection, stopping).ConfigureAwait(false);
        await Task.WhenAll(HeartbeatLoopAsync(connection, stopping), PublishLoopAsync(connection, stopping)).ConfigureAwait(false);
    }

    private async Task SubscribeAsync(ConnectionMultiplexer connection, CancellationToken stopping)
    {
        var delay = TimeSpan.FromMilliseconds(50);
        while (true)
        {
            try
            {
                // Once subscribed, StackExchange.Redis subscribes again by itself after every reconnection; the heartbeats
                // tell when that has happened.
                var queue = await connection.GetSubscriber().SubscribeAsync(_channel).WaitAsync(_options.Timeout, _time, stopping).ConfigureAwait(false);
                queue.OnMessage(Receive);
                return;
            }
            catch (Exception ex) when (!stopping.IsCancellationRequested)
            {
                Log.InvalidationSubscribeFailed(_logger, ex.GetType().FullName ?? ex.GetType().Name);
                await Task.Delay(delay, _time, stopping).ConfigureAwait(false);
                delay = Min(delay * 2, _options.HeartbeatInterval);
            }
        }
    }

    private async Task HeartbeatLoopAsync(ConnectionMultiplexer connection, CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            await HeartbeatAsync(connection, stopping).ConfigureAwait(false);
            lock (_state)
            {
                if (_connected && _time.GetElapsedTime(_lastHeartbeatReceivedAt) > _options.HeartbeatTimeout)
                {
                    LoseLocked("no heartbeat received within the heartbeat timeout");
                }
            }

            await Task.Delay(_options.HeartbeatInterval, _time, stopping).ConfigureAwait(false);
        }
    }

    private async Task HeartbeatAsync(ConnectionMultiplexer connection, CancellationToken stopping)
    {
        var sequence = Interlocked.Increment(ref _sentHeartbeat);
        try
        {
            var message = string.Create(CultureInfo.InvariantCulture, $"{HeartbeatKind}|{_node}|{sequence}");
            var receivers = await connection.GetSubscriber().PublishAsync(_channel, message).WaitAsync(_options.Timeout, _time, stopping).ConfigureAwait(false);
            if (receivers == 0)
            {
                // Not even this node is subscribed: the subscription is down or not yet restored.
                Lost("this node is not subscribed");
            }
        }
        catch (Exception ex) when (!stopping.IsCancellationRequested)
        {
            Lost($"heartbeat publish failed: {ex.GetType().Name}");
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    private async Task PublishLoopAsync(ConnectionMultiplexer connection, CancellationToken stopping)
    {
        await foreach (var pending in _outbox.Reader.ReadAllAsync(stopping).ConfigureAwait(false))
        {
            var message = $"{InvalidationKind}|{_node}|{pending.UserId}";
            var delay = TimeSpan.FromMilliseconds(20);
            for (var attempt = 1; ; attempt++)
            {
                if (_time.GetElapsedTime(pending.QueuedAt) > _retryFor)
                {
                    _publishFailures.Add(1, new KeyValuePair<string, object?>("outcome", "dropped"));
                    Log.InvalidationAbandoned(_logger, pending.UserId);
                    break;
                }

                try
                {
                    await connection.GetSubscriber().PublishAsync(_channel, message).WaitAsync(_options.Timeout, _time, stopping).ConfigureAwait(false);
                    _published.Add(1);
                    break;
                }
                catch (Exception ex) when (!stopping.IsCancellationRequested)
                {
                    _publishFailures.Add(1, new KeyValuePair<string, object?>("outcome", "retried"));
                    Log.InvalidationPublishFailed(_logger, ex.GetType().FullName ?? ex.GetType().Name, attempt);
                    await Task.Delay(delay, _time, stopping).ConfigureAwait(false);
                    delay = Min(delay * 2, TimeSpan.FromSeconds(1));
                }
            }
        }
    }

    private void Receive(ChannelMessage message)
    {
        var text = (string?)message.Message;
        if (text is null || !TryParse(text, out var kind, out var node, out var body))
        {
            return;
        }

        if (kind == InvalidationKind)
        {
            // This node dropped its own entry before publishing.
            if (!node.SequenceEqual(_node))
            {
                _received.Add(1);
                _listener?.OnInvalidated(body.ToString());
            }
        }
        else if (kind == HeartbeatKind && node.SequenceEqual(_node) && long.TryParse(body, NumberStyles.None, CultureInfo.InvariantCulture, out var sequence))
        {
            lock (_state)
            {
                _lastHeartbeatReceivedAt = _time.GetTimestamp();

                // Only a heartbeat sent after the last loss proves that the subscription works again.
                if (!_connected && sequence > _heartbeatAtLoss)
                {
                    _connected = true;
                    Log.InvalidationChannelUp(_logger);
                    _listener?.OnConnectionChanged(true);
                }
            }
        }
    }

    private static bool TryParse(string text, out string kind, out ReadOnlySpan<char> node, out ReadOnlySpan<char> body)
    {
        kind = string.Empty;
        node = body = default;
        var span = text.AsSpan();
        var first = span.IndexOf('|');
        if (first != 1)
        {
            return false;
        }

        var rest = span[2..];
        var second = rest.IndexOf('|');
        if (second <= 0 || second == rest.Length - 1)
        {
            return false;
        }

        kind = span[0] == 'i' ? InvalidationKind : span[0] == 'h' ? HeartbeatKind : string.Empty;
        node = rest[..second];
        body = rest[(second + 1)..];
        return kind.Length > 0;
    }

    private void Lost(string reason)
    {
        lock (_state)
        {
            LoseLocked(reason);
        }
    }

    private void LoseLocked(string reason)
    {
        // Heartbeats already sent may still arrive; they prove nothing about the subscription after this moment.
        _heartbeatAtLoss = Interlocked.Read(ref _sentHeartbeat);
        if (_connected)
        {
            _connected = false;
            Log.InvalidationChannelDown(_logger, reason);
            _listener?.OnConnectionChanged(false);
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private readonly record struct Pending(string UserId, long QueuedAt);
}
