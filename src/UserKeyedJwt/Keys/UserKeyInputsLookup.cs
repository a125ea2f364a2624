using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace UserKeyedJwt;

/// <summary>
/// The reads a key derivation needs, each bounded by <see cref="UserKeyedJwtOptions.StoreTimeout"/>: the user's key inputs,
/// the token's session if it names one, and the user's revoked tokens. A store that fails or hangs is an expected outcome
/// here, never an exception.
/// </summary>
/// <remarks>
/// Every read is made whatever an earlier one found, so that a token of a deleted user costs the reads a live user's costs.
/// </remarks>
internal sealed class UserKeyInputsLookup(
    IUserKeyInputsSource source,
    IOptions<UserKeyedJwtOptions> options,
    TimeProvider time,
    UserKeyedJwtMetrics metrics,
    ILogger<UserKeyInputsLookup> logger,
    IUserKeyedSessionStore? sessions = null,
    IRevokedTokenStore? revokedTokens = null)
{
    private static readonly IReadOnlySet<string> NoRevokedTokens = new HashSet<string>();

    private readonly TimeSpan _timeout = options.Value.StoreTimeout;

    public async ValueTask<Found> FindAsync(string userId, string? sessionId, CancellationToken cancellationToken)
    {
        var (inputs, inputsFailed) = await ReadAsync("users", userId, ct => source.FindAsync(userId, ct), cancellationToken).ConfigureAwait(false);
        var (session, sessionFailed) = sessionId is null
            ? (null, false)
            : await ReadAsync("sessions", userId, ct => sessions?.FindAsync(sessionId, ct) ?? ValueTask.FromResult<UserKeyedSession?>(null), cancellationToken).ConfigureAwait(false);
        var (revoked, revokedFailed) = revokedTokens is null
            ? (null, false)
            : await ReadAsync("revoked_tokens", userId, ct => revokedTokens.ListAsync(userId, time.GetUtcNow(), ct)!, cancellationToken).ConfigureAwait(false);

        if (inputsFailed || sessionFailed || revokedFailed)
        {
            return new Found(null, null, null, TokenFailureReason.StoreUnavailable);
        }

        if (inputs is null || !string.Equals(inputs.UserId, userId, StringComparison.Ordinal))
        {
            if (inputs is not null)
            {
                Log.SourceReturnedOtherUser(logger, userId);
            }

            return new Found(null, null, null, TokenFailureReason.UnknownUser);
        }

        if (sessionId is not null && (session is null || !string.Equals(session.UserId, userId, StringComparison.Ordinal) || session.ExpiresAt <= time.GetUtcNow()))
        {
            return new Found(inputs, null, null, TokenFailureReason.SessionEnded);
        }

        return new Found(inputs, session, revoked is { Count: > 0 } ? new HashSet<string>(revoked, StringComparer.Ordinal) : NoRevokedTokens, null);
    }

    private async ValueTask<(T? Value, bool Failed)> ReadAsync<T>(string store, string userId, Func<CancellationToken, ValueTask<T?>> read, CancellationToken cancellationToken)
        where T : class
    {
        using var timeout = new CancellationTokenSource(_timeout, time);
        using var link = cancellationToken.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), timeout);
        try
        {
            // WaitAsync: a store that ignores its token still cannot hold the request past the timeout.
            var pending = read(timeout.Token);
            var value = pending.IsCompleted ? await pending.ConfigureAwait(false) : await pending.AsTask().WaitAsync(timeout.Token).ConfigureAwait(false);
            var outcome = value is null ? "not_found" : "found";
            metrics.StoreLookup(store, outcome);
            Log.UserStoreRead(logger, userId, store, outcome);
            return (value, false);
        }
#pragma warning disable CA1031 // Whatever the store throws, the token is rejected as StoreUnavailable: fail closed.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            var timedOut = ex is OperationCanceledException && !cancellationToken.IsCancellationRequested;
            metrics.StoreLookup(store, timedOut ? "timeout" : "error");
            Log.UserStoreRead(logger, userId, store, timedOut ? "timeout" : "error");
            if (timedOut)
            {
                Log.UserStoreTimedOut(logger, userId, store, _timeout);
            }
            else
            {
                Log.UserStoreFailed(logger, userId, store, ex.GetType().FullName ?? ex.GetType().Name);
            }

            return (null, true);
        }
    }

    /// <summary>What the stores said: the inputs, the session and the revoked tokens, or why there is no key to derive.</summary>
    public readonly record struct Found(UserKeyInputs? Inputs, UserKeyedSession? Session, IReadOnlySet<string>? RevokedTokenIds, TokenFailureReason? Failure);
}
