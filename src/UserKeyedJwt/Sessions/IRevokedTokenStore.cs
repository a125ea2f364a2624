namespace UserKeyedJwt;

/// <summary>
/// The <c>jti</c> denylist: tokens revoked one by one, while the user's other tokens stay valid. Each entry lives until the
/// token it names expires, and a user has at most a bounded number, so that no user can fill anything shared.
/// </summary>
/// <remarks>
/// The validator reads a user's entries only when it has no key of that user cached, and keeps them with the key; a revocation
/// reaches every node as a key-cache invalidation. Implementations must be safe for concurrent use.
/// </remarks>
public interface IRevokedTokenStore
{
    /// <summary>
    /// Revokes the token <paramref name="tokenId"/> of <paramref name="userId"/> until <paramref name="expiresAt"/>, unless the
    /// user has <paramref name="maxPerUser"/> live entries at <paramref name="now"/> already.
    /// </summary>
    /// <returns>Whether the token is revoked now: <see langword="false"/> when the user's entries are full.</returns>
    ValueTask<bool> RevokeAsync(string userId, string tokenId, DateTimeOffset expiresAt, int maxPerUser, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>The ids of the tokens of <paramref name="userId"/> revoked and not yet expired at <paramref name="now"/>.</summary>
    ValueTask<IReadOnlyCollection<string>> ListAsync(string userId, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Deletes the entries of tokens that expired before <paramref name="now"/>.</summary>
    /// <returns>How many it deleted.</returns>
    ValueTask<int> RemoveExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken);
}
