namespace UserKeyedJwt;

/// <summary>
/// Carries key-cache invalidations between the nodes of one application, so that a change made through the library on any
/// node drops the user's cached keys on every node. <c>UserKeyedJwt.Redis</c> provides one on Redis pub/sub
/// (<c>AddUserKeyedJwtRedisInvalidation</c>).
/// </summary>
/// <remarks>
/// The key cache trusts a bus only while the bus reports it connected. Before the first
/// <see cref="IUserKeyInvalidationListener.OnConnectionChanged"/> with <see langword="true"/>, and after any with
/// <see langword="false"/>, the cache is bypassed: every token is checked against the user store. A bus must therefore
/// report "connected" only once it knows that messages from other nodes reach it, and report "disconnected" as soon as it
/// cannot be sure, because a missed message would otherwise let a revoked token through until the cache TTL.
/// </remarks>
public interface IUserKeyInvalidationBus
{
    /// <summary>
    /// Starts delivering other nodes' invalidations, and this bus's connection state, to <paramref name="listener"/>. The key
    /// cache calls it once, when it is created.
    /// </summary>
    void Subscribe(IUserKeyInvalidationListener listener);

    /// <summary>
    /// Sends <paramref name="userId"/> to every other node. The key cache calls it after each local invalidation. It must
    /// return at once and never throw: delivery, and retrying it, is the bus's job.
    /// </summary>
    void Publish(string userId);
}

/// <summary>What an <see cref="IUserKeyInvalidationBus"/> reports to the key cache of its node.</summary>
public interface IUserKeyInvalidationListener
{
    /// <summary>Another node changed <paramref name="userId"/>'s key inputs: drop the cached keys here, without publishing again.</summary>
    void OnInvalidated(string userId);

    /// <summary>
    /// The bus's state changed. On <see langword="false"/> the cache stops serving and clears itself; on <see langword="true"/>
    /// it clears itself (messages may have been missed meanwhile) and serves again.
    /// </summary>
    void OnConnectionChanged(bool connected);
}
