namespace UserKeyedJwt;

/// <summary>
/// An <see cref="IRevokedTokenStore"/> in this process's memory, for tests and for an application of one process. Entries
/// are dropped once the token they name has expired; a user has at most the number of live entries the caller allows.
/// </summary>
public sealed class InMemoryRevokedTokenStore : IRevokedTokenStore
{
    private readonly Dictionary<string, Dictionary<string, DateTimeOffset>> _byUser = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <inheritdoc />
    public ValueTask<bool> RevokeAsync(string userId, string tokenId, DateTimeOffset expiresAt, int maxPerUser, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        ArgumentException.ThrowIfNullOrEmpty(tokenId);
        lock (_lock)
        {
            if (!_byUser.TryGetValue(userId, out var tokens))
            {
                _byUser[userId] = tokens = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
            }

            foreach (var expired in tokens.Where(t => t.Value <= now).Select(t => t.Key).ToList())
            {
                tokens.Remove(expired);
            }

            if (!tokens.ContainsKey(tokenId) && tokens.Count >= maxPerUser)
            {
                return ValueTask.FromResult(false);
            }

            tokens[tokenId] = expiresAt;
            return ValueTask.FromResult(true);
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyCollection<string>> ListAsync(string userId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            IReadOnlyCollection<string> live = _byUser.TryGetValue(userId, out var tokens) ? [.. tokens.Where(t => t.Value > now).Select(t => t.Key)] : [];
            return ValueTask.FromResult(live);
        }
    }

    /// <inheritdoc />
    public ValueTask<int> RemoveExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var removed = 0;
            foreach (var (userId, tokens) in _byUser.ToList())
            {
                foreach (var expired in tokens.Where(t => t.Value <= now).Select(t => t.Key).ToList())
                {
                    tokens.Remove(expired);
                    removed++;
                }

                if (tokens.Count == 0)
                {
                    _byUser.Remove(userId);
                }
            }

            return ValueTask.FromResult(removed);
        }
    }
}
