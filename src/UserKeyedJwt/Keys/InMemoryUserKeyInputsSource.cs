using System.Collections.Concurrent;

namespace UserKeyedJwt;

/// <summary>
/// A thread-safe in-memory <see cref="IUserKeyInputsSource"/>, for tests and for small applications that keep their users in
/// memory.
/// </summary>
/// <remarks>
/// Changing a user here does not, by itself, drop the validator's cached key: call <see cref="IUserKeyCache.Invalidate(string)"/>
/// after <see cref="Set"/> or <see cref="Remove"/>, or the change takes effect when the cache entry expires.
/// </remarks>
public sealed class InMemoryUserKeyInputsSource : IUserKeyInputsSource
{
    private readonly ConcurrentDictionary<string, UserKeyInputs> _users = new(StringComparer.Ordinal);

    /// <summary>Adds or replaces the inputs of <see cref="UserKeyInputs.UserId"/>.</summary>
    public void Set(UserKeyInputs inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        _users[inputs.UserId] = inputs;
    }

    /// <summary>Removes a user. Returns whether the user existed.</summary>
    public bool Remove(string userId) => _users.TryRemove(userId, out _);

    /// <inheritdoc />
    public ValueTask<UserKeyInputs?> FindAsync(string userId, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(_users.TryGetValue(userId, out var inputs) ? inputs : null);
    }
}
