namespace UserKeyedJwt;

/// <summary>
/// The validator's cache of derived user keys. Call <see cref="Invalidate"/> after changing a user's key inputs outside
/// the library's own helpers, so that the change revokes earlier tokens on the very next request instead of after
/// <see cref="UserKeyedJwtOptions.KeyCacheTtl"/>.
/// </summary>
public interface IUserKeyCache
{
    /// <summary>
    /// Drops every cached key of <paramref name="userId"/>, here and, through the registered
    /// <see cref="IUserKeyInvalidationBus"/>, on every other node. The next token of that user is checked against the store.
    /// </summary>
    void Invalidate(string userId);

    /// <summary>Drops every cached key on this node only. To revoke every token on every node, rotate the server secret.</summary>
    void Clear();

    /// <summary>
    /// Whether lookups skip the cache right now because its <see cref="IUserKeyInvalidationBus"/> is not known to be connected,
    /// so that every token reads the stores. Always <see langword="false"/> without a bus. The health check reports it.
    /// </summary>
    bool IsBypassed { get; }
}
