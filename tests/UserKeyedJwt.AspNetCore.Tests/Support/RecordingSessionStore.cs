using System.Collections.Concurrent;

namespace UserKeyedJwt.AspNetCore.Tests.Support;

/// <summary>
/// Wraps the app's real <see cref="IUserKeyedSessionStore"/>: keeps every session it adds or returns, so the log scan knows
/// each session's secret and the keys derived from it. <see cref="FailWrites"/> makes a refresh's write fail as an
/// unreachable database would.
/// </summary>
public sealed class RecordingSessionStore(IUserKeyedSessionStore inner) : IUserKeyedSessionStore
{
    private readonly ConcurrentQueue<UserKeyedSession> _seen = new();

    public IReadOnlyCollection<UserKeyedSession> Seen => _seen;

    public bool FailWrites { get; set; }

    public ValueTask<IReadOnlyList<string>> AddAsync(UserKeyedSession session, int maxSessionsPerUser, CancellationToken cancellationToken)
    {
        _seen.Enqueue(session);
        return inner.AddAsync(session, maxSessionsPerUser, cancellationToken);
    }

    public async ValueTask<UserKeyedSession?> FindAsync(string sessionId, CancellationToken cancellationToken)
    {
        var session = await inner.FindAsync(sessionId, cancellationToken);
        if (session is not null)
        {
            _seen.Enqueue(session);
        }

        return session;
    }

    public ValueTask<IReadOnlyList<UserKeyedSession>> ListAsync(string userId, CancellationToken cancellationToken) => inner.ListAsync(userId, cancellationToken);

    public ValueTask<bool> TryAdvanceAsync(string sessionId, long expectedGeneration, DateTimeOffset now, CancellationToken cancellationToken) =>
        FailWrites ? ValueTask.FromException<bool>(new IOException("database unreachable")) : inner.TryAdvanceAsync(sessionId, expectedGeneration, now, cancellationToken);

    public ValueTask<bool> RemoveAsync(string userId, string sessionId, CancellationToken cancellationToken) => inner.RemoveAsync(userId, sessionId, cancellationToken);

    public ValueTask<IReadOnlyList<string>> RemoveAllAsync(string userId, string? exceptSessionId, CancellationToken cancellationToken) => inner.RemoveAllAsync(userId, exceptSessionId, cancellationToken);

    public ValueTask<int> RemoveExpiredAsync(DateTimeOffset now, DateTimeOffset inactiveSince, CancellationToken cancellationToken) => inner.RemoveExpiredAsync(now, inactiveSince, cancellationToken);
}
