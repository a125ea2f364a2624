using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace UserKeyedJwt;

/// <summary>
/// One lookup through <see cref="IUserKeyInputsSource"/>, bounded by <see cref="UserKeyedJwtOptions.StoreTimeout"/>: the
/// user's inputs, or why there are none. A store that fails or hangs is an expected outcome here, never an exception.
/// </summary>
internal sealed class UserKeyInputsLookup(
    IUserKeyInputsSource source,
    IOptions<UserKeyedJwtOptions> options,
    TimeProvider time,
    UserKeyedJwtMetrics metrics,
    ILogger<UserKeyInputsLookup> logger)
{
    private readonly TimeSpan _timeout = options.Value.StoreTimeout;

    public async ValueTask<(UserKeyInputs? Inputs, TokenFailureReason? Failure)> FindAsync(string userId, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(_timeout, time);
        using var link = cancellationToken.UnsafeRegister(static state => ((CancellationTokenSource)state!).Cancel(), timeout);
        UserKeyInputs? inputs;
        try
        {
            // WaitAsync: a source that ignores its token still cannot hold the request past the timeout.
            var lookup = source.FindAsync(userId, timeout.Token);
            inputs = lookup.IsCompleted ? await lookup.ConfigureAwait(false) : await lookup.AsTask().WaitAsync(timeout.Token).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Whatever the store throws, the token is rejected as StoreUnavailable: fail closed.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            var timedOut = ex is OperationCanceledException && !cancellationToken.IsCancellationRequested;
            metrics.StoreLookup(timedOut ? "timeout" : "error");
            Log.UserStoreRead(logger, userId, timedOut ? "timeout" : "error");
            if (timedOut)
            {
                Log.UserStoreTimedOut(logger, userId, _timeout);
            }
            else
            {
                Log.UserStoreFailed(logger, userId, ex.GetType().FullName ?? ex.GetType().Name);
            }

            return (null, TokenFailureReason.StoreUnavailable);
        }

        var outcome = inputs is null ? "not_found" : "found";
        metrics.StoreLookup(outcome);
        Log.UserStoreRead(logger, userId, outcome);
        if (inputs is null)
        {
            return (null, TokenFailureReason.UnknownUser);
        }

        if (!string.Equals(inputs.UserId, userId, StringComparison.Ordinal))
        {
            Log.SourceReturnedOtherUser(logger, userId);
            return (null, TokenFailureReason.UnknownUser);
        }

        return (inputs, null);
    }
}
