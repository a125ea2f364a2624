using System.Data;
using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace UserKeyedJwt.EntityFrameworkCore.Persistence;

/// <summary>
/// Runs a read-then-write operation in one transaction, on a context of its own scope, under the context's execution
/// strategy; again, on a fresh context, when the database refuses it for a concurrent transaction.
/// </summary>
internal static class StoreTransaction
{
    private const int MaxAttempts = 10;

    public static async Task<T> RunAsync<TContext, T>(IServiceScopeFactory scopes, IsolationLevel isolation, Func<TContext, CancellationToken, Task<T>> operation, CancellationToken cancellationToken)
        where TContext : DbContext
    {
        for (var attempt = 1; ; attempt++)
        {
            var scope = scopes.CreateAsyncScope();
            await using (scope.ConfigureAwait(false))
            {
                var context = scope.ServiceProvider.GetRequiredService<TContext>();
                try
                {
                    return await context.Database.CreateExecutionStrategy().ExecuteAsync(
                        (context, isolation, operation),
                        static async (_, state, token) => await InTransactionAsync(state.context, state.isolation, state.operation, token).ConfigureAwait(false),
                        verifySucceeded: null,
                        cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (attempt < MaxAttempts && IsConflict(e))
                {
                    // A serialization failure or a deadlock: the transaction rolled back, and running it again is safe.
                }
            }
        }
    }

    private static async Task<T> InTransactionAsync<TContext, T>(TContext context, IsolationLevel isolation, Func<TContext, CancellationToken, Task<T>> operation, CancellationToken cancellationToken)
        where TContext : DbContext
    {
        // An execution strategy may run this again on the same context: nothing of a failed attempt stays tracked.
        context.ChangeTracker.Clear();
        var transaction = await context.Database.BeginTransactionAsync(isolation, cancellationToken).ConfigureAwait(false);
        await using (transaction.ConfigureAwait(false))
        {
            var result = await operation(context, cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return result;
        }
    }

    // SQLSTATE 40001 and 40P01 (serialization failure, deadlock), however deeply the provider wraps them; not what the
    // application's own retrying strategy gave up on, nor a lost connection, which running again would only prolong.
    private static bool IsConflict(Exception exception)
    {
        for (var e = exception; e is not null and not RetryLimitExceededException; e = e.InnerException)
        {
            if (e is DbException { SqlState: "40001" or "40P01" })
            {
                return true;
            }
        }

        return false;
    }
}
