using System.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using UserKeyedJwt.EntityFrameworkCore.Persistence;

namespace UserKeyedJwt.EntityFrameworkCore;

/// <summary>
/// An <see cref="IRevokedTokenStore"/> in the application's database, through its <typeparamref name="TContext"/>. A
/// singleton: each operation resolves a context in a scope of its own. The bound per user holds across nodes: a revocation
/// runs in a serializable transaction, run again when the database refuses it for a concurrent one.
/// </summary>
/// <remarks>
/// An entry is kept until its expiry rounded up to the whole second, so that it never ends before the token it names. A
/// token id longer than <see cref="UserKeyedRevokedTokenEntity.MaxTokenIdLength"/> is refused with an
/// <see cref="ArgumentException"/>.
/// </remarks>
/// <typeparam name="TContext">The application's context, which holds <see cref="IUserKeyedJwtDbContext.UserKeyedRevokedTokens"/>.</typeparam>
public sealed class EntityFrameworkCoreRevokedTokenStore<TContext> : IRevokedTokenStore
    where TContext : DbContext, IUserKeyedJwtDbContext
{
    private readonly IServiceScopeFactory _scopes;

    /// <summary>Creates the store over the contexts that <paramref name="scopes"/> resolve.</summary>
    public EntityFrameworkCoreRevokedTokenStore(IServiceScopeFactory scopes)
    {
        ArgumentNullException.ThrowIfNull(scopes);
        _scopes = scopes;
    }

    /// <inheritdoc />
    public async ValueTask<bool> RevokeAsync(string userId, string tokenId, DateTimeOffset expiresAt, int maxPerUser, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        ArgumentException.ThrowIfNullOrEmpty(tokenId);
        Errors.ThrowIfLongerThan(userId, UserKeyInputs.MaxUserIdLength, nameof(userId));
        Errors.ThrowIfLongerThan(tokenId, UserKeyedRevokedTokenEntity.MaxTokenIdLength, nameof(tokenId));
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPerUser, 1);
        var until = UnixSeconds.Ceiling(expiresAt);
        var nowSeconds = UnixSeconds.Floor(now);

        // Serializable, so that two nodes counting the same entries cannot both add the last one allowed.
        return await StoreTransaction.RunAsync<TContext, bool>(_scopes, IsolationLevel.Serializable, async (context, token) =>
        {
            var revoked = context.UserKeyedRevokedTokens;
            await revoked.Where(t => t.UserId == userId && t.ExpiresAt <= nowSeconds).ExecuteDeleteAsync(token).ConfigureAwait(false);

            // Revoked already: it stays so at least as long as either revocation asks.
            var extended = await revoked
                .Where(t => t.UserId == userId && t.TokenId == tokenId)
                .ExecuteUpdateAsync(setters => setters.SetProperty(t => t.ExpiresAt, t => t.ExpiresAt > until ? t.ExpiresAt : until), token)
                .ConfigureAwait(false);
            if (extended > 0)
            {
                return true;
            }

            if (await revoked.CountAsync(t => t.UserId == userId, token).ConfigureAwait(false) >= maxPerUser)
            {
                return false;
            }

            revoked.Add(new UserKeyedRevokedTokenEntity { UserId = userId, TokenId = tokenId, ExpiresAt = until });
            await context.SaveChangesAsync(token).ConfigureAwait(false);
            return true;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyCollection<string>> ListAsync(string userId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(userId);
        var nowSeconds = UnixSeconds.Floor(now);
        var scope = _scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            return await RevokedTokens(scope).AsNoTracking()
                .Where(t => t.UserId == userId && t.ExpiresAt > nowSeconds)
                .Select(t => t.TokenId)
                .ToListAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async ValueTask<int> RemoveExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var nowSeconds = UnixSeconds.Floor(now);
        var scope = _scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            return await RevokedTokens(scope).Where(t => t.ExpiresAt <= nowSeconds).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static DbSet<UserKeyedRevokedTokenEntity> RevokedTokens(AsyncServiceScope scope) => scope.ServiceProvider.GetRequiredService<TContext>().UserKeyedRevokedTokens;
}
