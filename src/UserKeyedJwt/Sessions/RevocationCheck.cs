using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;

namespace UserKeyedJwt;

/// <summary>
/// The handler's post-validation hook: the denylist check by <c>jti</c> and <c>sid</c>. The handler calls it only for tokens
/// whose signature verified, so forged or malformed tokens never reach the store.
/// </summary>
internal sealed class RevocationCheck(
    IRevokedTokenStore store,
    IOptions<UserKeyedSessionOptions> sessionOptions,
    IOptions<UserKeyedJwtOptions> options,
    TimeProvider time,
    UserKeyedJwtMetrics metrics,
    ILogger<RevocationCheck> logger)
{
    private readonly UserKeyedSessionOptions _sessionOptions = sessionOptions.Value;
    private readonly TimeSpan _timeout = options.Value.StoreTimeout;

    public IRevokedTokenStore Store => store;

    /// <summary>Null when the token may pass; otherwise why it is rejected.</summary>
    public async ValueTask<TokenFailureReason?> CheckAsync(JsonWebToken token, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(token.Id))
        {
            // Every token we issue has a jti; one without cannot be revoked individually, so it is not ours.
            return TokenFailureReason.Malformed;
        }

        token.TryGetPayloadValue<string>(UserKeyedSession.SessionIdClaimType, out var sessionId);
        try
        {
            var revoked = await CallAsync(static (s, state, ct) => s.IsRevokedAsync(state.Id, state.SessionId, ct), (token.Id, SessionId: sessionId), cancellationToken).ConfigureAwait(false);
            return revoked ? TokenFailureReason.TokenRevoked : null;
        }
#pragma warning disable CA1031 // Any store failure is an outage: fail closed unless configured otherwise.
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
#pragma warning restore CA1031
        {
            var open = _sessionOptions.RevocationStoreFailure == RevocationStoreFailureMode.FailOpen;
            Failed("check", ex, open ? "the token is accepted (FailOpen)" : "the token is rejected (FailClosed)");
            return open ? null : TokenFailureReason.StoreUnavailable;
        }
    }

    /// <summary>Calls the store with the configured store timeout. Throws on failure or timeout.</summary>
    public async ValueTask<TResult> CallAsync<TState, TResult>(Func<IRevokedTokenStore, TState, CancellationToken, ValueTask<TResult>> call, TState state, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(_timeout, time);
        using var link = cancellationToken.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), timeout);
        // WaitAsync: a store that ignores its token still can't hold the request past the timeout.
        return await call(store, state, timeout.Token).AsTask().WaitAsync(timeout.Token).ConfigureAwait(false);
    }

    public void Failed(string operation, Exception exception, string outcome)
    {
        metrics.RevocationStoreFailed(operation);
        Log.RevocationStoreFailed(logger, operation, exception.GetType().FullName ?? exception.GetType().Name, outcome);
    }
}
