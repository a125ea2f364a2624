using System.Collections.Concurrent;

namespace UserKeyedJwt;

/// <summary>
/// A thread-safe in-memory <see cref="IUserKeyMaterialSource"/>, for tests and for small applications
/// that keep their users in memory.
/// </summary>
/// <remarks>
/// Changing a user here does not, by itself, drop the validator's cached key: call
/// <see cref="IUserKeyCache.Invalidate(string)"/> after <see cref="Set"/> or <see cref="Remove"/>,
/// or the change takes effect when the cache entry expires.
/// </remarks>
public sealed class InMemoryUserKeyMaterialSource : IUserKeyMaterialSource
{
    private readonly ConcurrentDictionary<string, UserKeyMaterial> _users = new(StringComparer.Ordinal);

    /// <summary>Adds or replaces the material of <see cref="UserKeyMaterial.UserId"/>.</summary>
    public void Set(UserKeyMaterial material)
    {
        ArgumentNullException.ThrowIfNull(material);
        _users[material.UserId] = material;
    }

    /// <summary>Removes a user. Returns whether the user existed.</summary>
    public bool Remove(string userId) => _users.TryRemove(userId, out _);

    /// <inheritdoc />
    public ValueTask<UserKeyMaterial?> FindAsync(string userId, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(_users.TryGetValue(userId, out var material) ? material : null);
    }
}
