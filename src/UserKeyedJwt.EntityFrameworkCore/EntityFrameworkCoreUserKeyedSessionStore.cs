using System.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using UserKeyedJwt.EntityFrameworkCore.Persistence;

namespace UserKeyedJwt.EntityFrameworkCore;

/// <summary>
/// An <see cref="IUserKeyedSessionStore"/> in the application's database, through its <typeparamref name="TContext"/>. A
/// singleton: each operation resolves a context in a scope of its own. The refresh compare-and-set is one <c>UPDATE</c>, so
/// it is atomic across every node that shares the database.
/// </summary>
/// <remarks>
/// Times are kept in whole seconds, as the library issues them; a time with a fraction is rounded down. On SQLite, keep the
/// connection's <c>Default Timeout</c> (30 seconds unless set), within which concurrent writers wait for each other.
/// </remarks>
/// <typeparam name="TContext">The application's context, which holds <see cref="IUserKeyedJwtDbContext.UserKeyedSessions"/>.</typeparam>
public sealed class EntityFrameworkCoreUserKeyedSessionStore<TContext> : IUserKeyedSessionStore
    where TContext : DbContext, IUserKeyedJwtDbContext
{
    private readonly IServiceScopeFactory _scopes;

    /// <summary>Creates the store over the contexts that <paramref name="scopes"/> resolve.</summary>
    public EntityFrameworkCoreUserKeyedSessionStore(IServiceScopeFactory scopes)
    {
        ArgumentNullException.ThrowIfNull(scopes);
        _scopes = scopes;
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<string>> AddAsync(UserKeyedSession session, int maxSessionsPerUser, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSessionsPerUser, 1);
        Errors.ThrowIfLongerThan(session.Id, UserKeyedSessionEntity.MaxIdLength, nameof(session) + "." + nameof(session.Id));
        Errors.ThrowIfLongerThan(session.UserId, UserKeyInputs.MaxUserIdLength, nameof(session) + "." + nameof(session.UserId));
        Errors.ThrowIfLongerThan(session.Secret, UserKeyedSessionEntity.MaxSecretLength, nameof(session) + "." + nameof(session.Secret));
        Errors.ThrowIfLongerThan(session.Device, UserKeyedSession.MaxDeviceLength, nameof(session) + "." + nameof(session.Device));

        // The default isolation: sign-ins are frequent, and a race between two of one user only overshoots the cap until the next.
        return await StoreTransaction.RunAsync<TContext, IReadOnlyList<string>>(_scopes, IsolationLevel.Unspecified, async (context, token) =>
        {
            context.UserKeyedSessions.Add(ToEntity(session));
            await context.SaveChangesAsync(token).ConfigureAwait(false);

            // The new session is never the one to go, even when others were refreshed in the same second.
            var removed = await context.UserKeyedSessions.AsNoTracking()
                .Where(s => s.UserId == session.UserId && s.Id != session.Id)
                .OrderByDescending(s => s.LastRefreshedAt).ThenByDescending(s => s.CreatedAt).ThenBy(s => s.Id)
                .Skip(maxSessionsPerUser - 1)
                .Select(s => s.Id)
                .ToListAsync(token).ConfigureAwait(false);
            if (removed.Count > 0)
            {
                await context.UserKeyedSessions
                    .Where(s => s.UserId == session.UserId && removed.Contains(s.Id))
                    .ExecuteDeleteAsync(token).ConfigureAwait(false);
            }

            return removed;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<UserKeyedSession?> FindAsync(string sessionId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        var scope = _scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            var entity = await Sessions(scope).AsNoTracking().FirstOrDefaultAsync(s => s.Id == sessionId, cancellationToken).ConfigureAwait(false);
            return entity is null ? null : ToSession(entity);
        }
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<UserKeyedSession>> ListAsync(string userId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(userId);
        var scope = _scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            var entities = await Sessions(scope).AsNoTracking()
                .Where(s => s.UserId == userId)
                .OrderByDescending(s => s.LastRefreshedAt).ThenByDescending(s => s.CreatedAt).ThenBy(s => s.Id)
                .ToListAsync(cancellationToken).ConfigureAwait(false);
            return [.. entities.Select(ToSession)];
        }
    }

    /// <inheritdoc />
    public async ValueTask<bool> TryAdvanceAsync(string sessionId, long expectedGeneration, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        var nowSeconds = UnixSeconds.Floor(now);
        var scope = _scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            // One statement: the database's row lock makes it the compare-and-set; of concurrent ones, one finds the generation.
            var advanced = await Sessions(scope)
                .Where(s => s.Id == sessionId && s.Generation == expectedGeneration && s.ExpiresAt > nowSeconds)
                .ExecuteUpdateAsync(
                    setters => setters
                        .SetProperty(s => s.Generation, s => s.Generation + 1)
                        .SetProperty(s => s.LastRefreshedAt, nowSeconds),
                    cancellationToken).ConfigureAwait(false);
            return advanced == 1;
        }
    }

    /// <inheritdoc />
    public async ValueTask<bool> RemoveAsync(string userId, string sessionId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(userId);
        ArgumentNullException.ThrowIfNull(sessionId);
        var scope = _scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            var removed = await Sessions(scope)
                .Where(s => s.Id == sessionId && s.UserId == userId)
                .ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
            return removed > 0;
        }
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<string>> RemoveAllAsync(string userId, string? exceptSessionId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(userId);
        var scope = _scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            var sessions = Sessions(scope);
            var ids = await sessions.AsNoTracking()
                .Where(s => s.UserId == userId && s.Id != exceptSessionId)
                .Select(s => s.Id)
                .ToListAsync(cancellationToken).ConfigureAwait(false);
            if (ids.Count == 0)
            {
                return [];
            }

            // Exactly the sessions listed: one started meanwhile stays, as if it had started after.
            await sessions
                .Where(s => s.UserId == userId && ids.Contains(s.Id))
                .ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
            return ids;
        }
    }

    /// <inheritdoc />
    public async ValueTask<int> RemoveExpiredAsync(DateTimeOffset now, DateTimeOffset inactiveSince, CancellationToken cancellationToken)
    {
        var nowSeconds = UnixSeconds.Floor(now);

        // Whole seconds before inactiveSince are exactly those before its ceiling.
        var inactiveSeconds = UnixSeconds.Ceiling(inactiveSince);
        var scope = _scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            return await Sessions(scope)
                .Where(s => s.ExpiresAt <= nowSeconds || s.LastRefreshedAt < inactiveSeconds)
                .ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static DbSet<UserKeyedSessionEntity> Sessions(AsyncServiceScope scope) => scope.ServiceProvider.GetRequiredService<TContext>().UserKeyedSessions;

    private static UserKeyedSessionEntity ToEntity(UserKeyedSession session) => new()
    {
        Id = session.Id,
        UserId = session.UserId,
        Secret = session.Secret,
        CreatedAt = UnixSeconds.Floor(session.CreatedAt),
        LastRefreshedAt = UnixSeconds.Floor(session.LastRefreshedAt),
        ExpiresAt = UnixSeconds.Floor(session.ExpiresAt),
        Generation = session.Generation,
        Device = session.Device,
    };

    private static UserKeyedSession ToSession(UserKeyedSessionEntity entity) => new(
        entity.Id,
        entity.UserId,
        entity.Secret,
        UnixSeconds.ToTime(entity.CreatedAt),
        UnixSeconds.ToTime(entity.LastRefreshedAt),
        UnixSeconds.ToTime(entity.ExpiresAt),
        entity.Generation,
        entity.Device);
}
