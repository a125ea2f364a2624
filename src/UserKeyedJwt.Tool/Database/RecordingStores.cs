namespace UserKeyedJwt.Tool.Database;

/// <summary>The app's session store, read only, with its failures recorded for the explanation.</summary>
internal sealed class RecordingSessionStore(IUserKeyedSessionStore inner, StoreFailures failures) : IUserKeyedSessionStore
{
    public async ValueTask<UserKeyedSession?> FindAsync(string sessionId, CancellationToken cancellationToken)
    {
        try
        {
            return await inner.FindAsync(sessionId, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            failures.Record("UserKeyedSessions", ex);
            throw;
        }
    }

    public ValueTask<IReadOnlyList<string>> AddAsync(UserKeyedSession session, int maxSessionsPerUser, CancellationToken cancellationToken) => throw ReadOnly();

    public ValueTask<IReadOnlyList<UserKeyedSession>> ListAsync(string userId, CancellationToken cancellationToken) => inner.ListAsync(userId, cancellationToken);

    public ValueTask<bool> TryAdvanceAsync(string sessionId, long expectedGeneration, DateTimeOffset now, CancellationToken cancellationToken) => throw ReadOnly();

    public ValueTask<bool> RemoveAsync(string userId, string sessionId, CancellationToken cancellationToken) => throw ReadOnly();

    public ValueTask<IReadOnlyList<string>> RemoveAllAsync(string userId, string? exceptSessionId, CancellationToken cancellationToken) => throw ReadOnly();

    public ValueTask<int> RemoveExpiredAsync(DateTimeOffset now, DateTimeOffset inactiveSince, CancellationToken cancellationToken) => throw ReadOnly();

    internal static InvalidOperationException ReadOnly() => new("ukjwt reads the app's stores and never writes them.");
}

/// <summary>The app's <c>jti</c> denylist, read only, with its failures recorded for the explanation.</summary>
internal sealed class RecordingRevokedTokenStore(IRevokedTokenStore inner, StoreFailures failures) : IRevokedTokenStore
{
    public async ValueTask<IReadOnlyCollection<string>> ListAsync(string userId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        try
        {
            return await inner.ListAsync(userId, now, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            failures.Record("UserKeyedRevokedTokens", ex);
            throw;
        }
    }

    public ValueTask<bool> RevokeAsync(string userId, string tokenId, DateTimeOffset expiresAt, int maxPerUser, DateTimeOffset now, CancellationToken cancellationToken) =>
        throw RecordingSessionStore.ReadOnly();

    public ValueTask<int> RemoveExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken) => throw RecordingSessionStore.ReadOnly();
}
