namespace UserKeyedJwt.Redis;

/// <summary>Settings of <see cref="RedisUserKeyInvalidationBus"/>.</summary>
public sealed class RedisUserKeyInvalidationOptions
{
    /// <summary>
    /// The StackExchange.Redis configuration string, such as <c>localhost:6379</c>. Every node of the application must name
    /// the same Redis. It is never logged.
    /// </summary>
    /// <value>No default: required.</value>
    public string? Configuration { get; set; }

    /// <summary>The pub/sub channel. Nodes of one application share it; other applications on the same Redis must not.</summary>
    /// <value><c>ukjwt:invalidate</c>. 1 to 128 characters.</value>
    public string Channel { get; set; } = "ukjwt:invalidate";

    /// <summary>
    /// How often each node publishes a heartbeat on the channel and expects to receive it back. Receiving its own heartbeat is
    /// how a node knows that other nodes' messages reach it; only then does it use its key cache.
    /// </summary>
    /// <value>1 second. At least 100 milliseconds and at most 1 minute.</value>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long a node may go without receiving its own heartbeat before it treats the channel as down, clears its key cache
    /// and reads every user through to the store. This bounds revocation latency when the channel fails silently.
    /// </summary>
    /// <value>3 seconds. At least twice <see cref="HeartbeatInterval"/> and at most 5 minutes.</value>
    public TimeSpan HeartbeatTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>How long connecting and each publish may take before it counts as failed.</summary>
    /// <value>2 seconds. Above zero and at most 30 seconds.</value>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(2);
}
