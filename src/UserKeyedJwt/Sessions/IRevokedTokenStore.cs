namespace UserKeyedJwt;

/// <summary>
/// The revocation list (denylist) by token id (<c>jti</c>) and session id (<c>sid</c>), and the memory of consumed refresh
/// tokens used for reuse detection. Every entry carries the time after which the token it concerns has expired; the store
/// may forget it then, and should, so that nothing is kept longer than needed.
/// </summary>
/// <remarks>
/// The validator consults the store only after a token's signature has verified, so forged tokens never cost a store call.
/// An implementation reports an outage by throwing; the caller then fails closed (see
/// <see cref="UserKeyedSessionOptions.RevocationStoreFailure"/>). Implementations must be safe for concurrent use.
/// </remarks>
public interface IRevokedTokenStore
{
    /// <summary>Whether the token <paramref name="tokenId"/>, or the session <paramref name="sessionId"/> it belongs to, is revoked.</summary>
    ValueTask<bool> IsRevokedAsync(string tokenId, string? sessionId, CancellationToken cancellationToken);

    /// <summary>Revokes one token until <paramref name="expiresAt"/>, the token's expiry (clock skew included).</summary>
    ValueTask RevokeTokenAsync(string tokenId, DateTimeOffset expiresAt, CancellationToken cancellationToken);

    /// <summary>Revokes every token of a session until <paramref name="expiresAt"/>, the latest expiry a token of that session can have.</summary>
    ValueTask RevokeSessionAsync(string sessionId, DateTimeOffset expiresAt, CancellationToken cancellationToken);

    /// <summary>
    /// Atomically marks the refresh token <paramref name="tokenId"/> consumed at <paramref name="now"/>, remembered until
    /// <paramref name="expiresAt"/>.
    /// </summary>
    /// <returns><see langword="null"/> when this call consumed the token; otherwise when it was first consumed.</returns>
    ValueTask<DateTimeOffset?> TryConsumeAsync(string tokenId, DateTimeOffset now, DateTimeOffset expiresAt, CancellationToken cancellationToken);
}
