namespace UserKeyedJwt;

/// <summary>
/// Looks up a user's current key material. The validating handler calls it at most once per token,
/// only after every cheap check (including the pre-authenticator tag) has passed, and only on a key-cache miss.
/// </summary>
/// <remarks>
/// Implementations are registered as singletons. One that needs scoped services (such as a <c>DbContext</c>)
/// creates its own scope per call. Throwing, or not answering within <see cref="UserKeyedJwtOptions.StoreTimeout"/>,
/// rejects the token with <see cref="TokenFailureReason.StoreUnavailable"/>.
/// </remarks>
public interface IUserKeyMaterialSource
{
    /// <summary>Finds the current key material of <paramref name="userId"/>.</summary>
    /// <param name="userId">The token's subject.</param>
    /// <param name="cancellationToken">Cancelled when the lookup times out.</param>
    /// <returns>The material, or <see langword="null"/> when no such user exists.</returns>
    ValueTask<UserKeyMaterial?> FindAsync(string userId, CancellationToken cancellationToken);
}
