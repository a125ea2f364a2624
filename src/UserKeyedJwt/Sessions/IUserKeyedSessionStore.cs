namespace UserKeyedJwt;

/// <summary>
/// Where sessions live: the application's database (<c>UserKeyedJwt.EntityFrameworkCore</c>), or memory for tests and a single
/// process (<see cref="InMemoryUserKeyedSessionStore"/>). Implementations must be safe for concurrent use, and
/// <see cref="TryAdvanceAsync"/> must be atomic across every node that shares the store.
/// </summary>
/// <remarks>
/// The validator reads a session only when it has no key for it cached, and a store that throws or does not answer within
/// <see cref="UserKeyedJwtOptions.StoreTimeout"/> rejects the token as <see cref="TokenFailureReason.StoreUnavailable"/>.
/// </remarks>
public interface IUserKeyedSessionStore
{
    /// <summary>
    /// Adds <paramref name="session"/>; when its user then has more than <paramref name="maxSessionsPerUser"/> sessions, deletes
    /// the ones refreshed longest ago until the user has that many.
    /// </summary>
    /// <returns>The ids of the sessions deleted to make room.</returns>
    ValueTask<IReadOnlyList<string>> AddAsync(UserKeyedSession session, int maxSessionsPerUser, CancellationToken cancellationToken);

    /// <summary>The session <paramref name="sessionId"/>, or <see langword="null"/> when there is none.</summary>
    ValueTask<UserKeyedSession?> FindAsync(string sessionId, CancellationToken cancellationToken);

    /// <summary>The sessions of <paramref name="userId"/>, most recently refreshed first, then the newest, then by id.</summary>
    ValueTask<IReadOnlyList<UserKeyedSession>> ListAsync(string userId, CancellationToken cancellationToken);

    /// <summary>
    /// Atomically, if the session exists, has <paramref name="expectedGeneration"/> and has not ended at <paramref name="now"/>:
    /// sets its generation to the next one and its last refresh to <paramref name="now"/>. Of concurrent calls with one
    /// generation, on any number of nodes, at most one succeeds.
    /// </summary>
    /// <returns>Whether this call advanced the session.</returns>
    ValueTask<bool> TryAdvanceAsync(string sessionId, long expectedGeneration, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Deletes the session <paramref name="sessionId"/> if it belongs to <paramref name="userId"/>.</summary>
    /// <returns>Whether it did: <see langword="false"/> for no such session, or another user's.</returns>
    ValueTask<bool> RemoveAsync(string userId, string sessionId, CancellationToken cancellationToken);

    /// <summary>Deletes every session of <paramref name="userId"/> but <paramref name="exceptSessionId"/>, if given.</summary>
    /// <returns>The ids of the sessions deleted.</returns>
    ValueTask<IReadOnlyList<string>> RemoveAllAsync(string userId, string? exceptSessionId, CancellationToken cancellationToken);

    /// <summary>Deletes the sessions that ended (<see cref="UserKeyedSession.ExpiresAt"/>) or were last refreshed before <paramref name="inactiveSince"/>.</summary>
    /// <returns>How many it deleted.</returns>
    ValueTask<int> RemoveExpiredAsync(DateTimeOffset now, DateTimeOffset inactiveSince, CancellationToken cancellationToken);
}
