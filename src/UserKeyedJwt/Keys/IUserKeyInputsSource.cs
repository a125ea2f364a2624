namespace UserKeyedJwt;

/// <summary>
/// Looks up a user's current key inputs. The validating handler calls it at most once per token, only after the token passed
/// every check that needs no I/O (the <c>kid</c> tag among them), and only when no current key is cached.
/// </summary>
/// <remarks>
/// Implementations are registered as singletons. One that needs scoped services (such as a <c>DbContext</c>) creates its own
/// scope per call. Throwing, or not answering within <see cref="UserKeyedJwtOptions.StoreTimeout"/>, rejects the token with
/// <see cref="TokenFailureReason.StoreUnavailable"/>.
/// </remarks>
public interface IUserKeyInputsSource
{
    /// <summary>Finds the current key inputs of <paramref name="userId"/>.</summary>
    /// <param name="userId">The token's subject.</param>
    /// <param name="cancellationToken">Cancelled when the lookup times out.</param>
    /// <returns>The inputs, or <see langword="null"/> when no such user exists.</returns>
    ValueTask<UserKeyInputs?> FindAsync(string userId, CancellationToken cancellationToken);
}
