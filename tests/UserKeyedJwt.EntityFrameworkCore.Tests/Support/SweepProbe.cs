using System.Threading.Channels;

namespace UserKeyedJwt.EntityFrameworkCore.Tests.Support;

/// <summary>
/// Passes the sweep's deletes through to the real stores, fails the ones a test asks to, and reports the end of each sweep
/// of the denylist (the last step of a sweep), so that a test can wait for the sweep of one tick.
/// </summary>
public sealed class SweepProbe(IUserKeyedSessionStore sessions, IRevokedTokenStore revokedTokens)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly Channel<DateTimeOffset> _sweeps = Channel.CreateUnbounded<DateTimeOffset>();

    /// <summary>How many of the next session sweeps throw.</summary>
    public int SessionFailures { get; set; }

    public IUserKeyedSessionStore Sessions => new SessionStore(this, sessions);

    public IRevokedTokenStore RevokedTokens => new RevokedTokenStore(this, revokedTokens);

    /// <summary>Waits for the next sweep to finish and returns the time it swept at.</summary>
    public async Task<DateTimeOffset> NextSweepAsync()
    {
        using var timeout = new CancellationTokenSource(Patience);
        return await _sweeps.Reader.ReadAsync(timeout.Token);
    }

    private sealed class SessionStore(SweepProbe probe, IUserKeyedSessionStore inner) : IUserKeyedSessionStore
    {
        public ValueTask<IReadOnlyList<string>> AddAsync(UserKeyedSession session, int maxSessionsPerUser, CancellationToken cancellationToken) => inner.AddAsync(session, maxSessionsPerUser, cancellationToken);

        public ValueTask<UserKeyedSession?> FindAsync(string sessionId, CancellationToken cancellationToken) => inner.FindAsync(sessionId, cancellationToken);

        public ValueTask<IReadOnlyList<UserKeyedSession>> ListAsync(string userId, CancellationToken cancellationToken) => inner.ListAsync(userId, cancellationToken);

        public ValueTask<bool> TryAdvanceAsync(string sessionId, long expectedGeneration, DateTimeOffset now, CancellationToken cancellationToken) => inner.TryAdvanceAsync(sessionId, expectedGeneration, now, cancellationToken);

        public ValueTask<bool> RemoveAsync(string userId, string sessionId, CancellationToken cancellationToken) => inner.RemoveAsync(userId, sessionId, cancellationToken);

        public ValueTask<IReadOnlyList<string>> RemoveAllAsync(string userId, string? exceptSessionId, CancellationToken cancellationToken) => inner.RemoveAllAsync(userId, exceptSessionId, cancellationToken);

        public ValueTask<int> RemoveExpiredAsync(DateTimeOffset now, DateTimeOffset inactiveSince, CancellationToken cancellationToken)
        {
            if (probe.SessionFailures > 0)
            {
                probe.SessionFailures--;
                throw new InvalidOperationException("The session store is down.");
            }

            return inner.RemoveExpiredAsync(now, inactiveSince, cancellationToken);
        }
    }

    private sealed class RevokedTokenStore(SweepProbe probe, IRevokedTokenStore inner) : IRevokedTokenStore
    {
        public ValueTask<bool> RevokeAsync(string userId, string tokenId, DateTimeOffset expiresAt, int maxPerUser, DateTimeOffset now, CancellationToken cancellationToken) => inner.RevokeAsync(userId, tokenId, expiresAt, maxPerUser, now, cancellationToken);

        public ValueTask<IReadOnlyCollection<string>> ListAsync(string userId, DateTimeOffset now, CancellationToken cancellationToken) => inner.ListAsync(userId, now, cancellationToken);

        public async ValueTask<int> RemoveExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken)
        {
            try
            {
                return await inner.RemoveExpiredAsync(now, cancellationToken);
            }
            finally
            {
                probe._sweeps.Writer.TryWrite(now);
            }
        }
    }
}
