namespace UserKeyedJwt;

/// <summary>
/// An <see cref="IUserKeyedSessionStore"/> in this process's memory, for tests and for an application of one process.
/// Sessions do not survive a restart, and nodes do not share them: use the database store (<c>UserKeyedJwt.EntityFrameworkCore</c>)
/// for anything else. It holds at most <see cref="Capacity"/> sessions; when full, it drops ended ones first and then refuses.
/// </summary>
public sealed class InMemoryUserKeyedSessionStore : IUserKeyedSessionStore
{
    private readonly Dictionary<string, UserKeyedSession> _sessions = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private readonly TimeProvider _time;

    /// <summary>Creates a store of at most <paramref name="capacity"/> sessions, on the clock <paramref name="time"/>.</summary>
    public InMemoryUserKeyedSessionStore(TimeProvider time, int capacity = 1_000_000)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _time = time;
        Capacity = capacity;
    }

    /// <summary>The most sessions the store holds.</summary>
    public int Capacity { get; }

    /// <summary>The sessions held now.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _sessions.Count;
            }
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<string>> AddAsync(UserKeyedSession session, int maxSessionsPerUser, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSessionsPerUser, 1);
        lock (_lock)
        {
            if (_sessions.Count >= Capacity)
            {
                var now = _time.GetUtcNow();
                foreach (var ended in _sessions.Values.Where(s => s.ExpiresAt <= now).Select(s => s.Id).ToList())
                {
                    _sessions.Remove(ended);
                }

                if (_sessions.Count >= Capacity)
                {
                    throw new InvalidOperationException($"The in-memory session store is full ({Capacity} sessions); raise {UserKeyedSessionOptions.SectionName}:{nameof(UserKeyedSessionOptions.InMemoryStoreCapacity)} or use the database store.");
                }
            }

            _sessions.Add(session.Id, session);

            // The new session is never the one to go, even when it ties the others' last refresh.
            var removed = MostRecentFirst(_sessions.Values.Where(s => s.UserId == session.UserId && s.Id != session.Id))
                .Skip(maxSessionsPerUser - 1)
                .Select(s => s.Id)
                .ToList();
            foreach (var id in removed)
            {
                _sessions.Remove(id);
            }

            return ValueTask.FromResult<IReadOnlyList<string>>(removed);
        }
    }

    /// <inheritdoc />
    public ValueTask<UserKeyedSession?> FindAsync(string sessionId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return ValueTask.FromResult(_sessions.GetValueOrDefault(sessionId));
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<UserKeyedSession>> ListAsync(string userId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return ValueTask.FromResult<IReadOnlyList<UserKeyedSession>>([.. MostRecentFirst(_sessions.Values.Where(s => s.UserId == userId))]);
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> TryAdvanceAsync(string sessionId, long expectedGeneration, DateTimeOffset now, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (!_sessions.TryGetValue(sessionId, out var s) || s.Generation != expectedGeneration || s.ExpiresAt <= now)
            {
                return ValueTask.FromResult(false);
            }

            _sessions[sessionId] = new UserKeyedSession(s.Id, s.UserId, s.Secret, s.CreatedAt, now, s.ExpiresAt, s.Generation + 1, s.Device);
            return ValueTask.FromResult(true);
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> RemoveAsync(string userId, string sessionId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return ValueTask.FromResult(_sessions.TryGetValue(sessionId, out var s) && s.UserId == userId && _sessions.Remove(sessionId));
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<string>> RemoveAllAsync(string userId, string? exceptSessionId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var removed = _sessions.Values.Where(s => s.UserId == userId && s.Id != exceptSessionId).Select(s => s.Id).ToList();
            foreach (var id in removed)
            {
                _sessions.Remove(id);
            }

            return ValueTask.FromResult<IReadOnlyList<string>>(removed);
        }
    }

    /// <inheritdoc />
    public ValueTask<int> RemoveExpiredAsync(DateTimeOffset now, DateTimeOffset inactiveSince, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var removed = _sessions.Values.Where(s => s.ExpiresAt <= now || s.LastRefreshedAt < inactiveSince).Select(s => s.Id).ToList();
            foreach (var id in removed)
            {
                _sessions.Remove(id);
            }

            return ValueTask.FromResult(removed.Count);
        }
    }

    // The order of the EF Core store, so that both list and evict alike when refreshes fall in the same second.
    private static IOrderedEnumerable<UserKeyedSession> MostRecentFirst(IEnumerable<UserKeyedSession> sessions) =>
        sessions.OrderByDescending(s => s.LastRefreshedAt).ThenByDescending(s => s.CreatedAt).ThenBy(s => s.Id, StringComparer.Ordinal);
}
