using System.Buffers.Text;
using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace UserKeyedJwt;

/// <summary>
/// Sessions on top of user-keyed tokens: a sign-in starts a session (<c>sid</c>) with an access token and a refresh token;
/// every refresh consumes the refresh token and issues the next pair; a consumed refresh token presented again is treated
/// as theft; a session ends at logout (its <c>sid</c> goes on the revocation list), after
/// <see cref="UserKeyedSessionOptions.InactivityTimeout"/> without a refresh, or after
/// <see cref="UserKeyedSessionOptions.AbsoluteLifetime"/>.
/// </summary>
/// <remarks>
/// Issuing does no I/O: the caller passes the user's current <see cref="UserKeyInputs"/>. Revoking every token of a user
/// (logout everywhere, and the answer to a reused refresh token) is a change of the user's key inputs, which only the
/// application's user store can make: the ASP.NET Core package does it through the user manager.
/// </remarks>
public sealed class UserKeyedSessions
{
    private readonly UserKeyedJwtOptions _options;
    private readonly UserKeyedSessionOptions _sessionOptions;
    private readonly UserKeyedTokenIssuer _issuer;
    private readonly UserKeyedTokenHandler _handler;
    private readonly RevocationCheck _revocation;
    private readonly TimeProvider _time;
    private readonly UserKeyedJwtMetrics _metrics;
    private readonly ILogger _logger;

    internal UserKeyedSessions(
        IOptions<UserKeyedJwtOptions> options,
        IOptions<UserKeyedSessionOptions> sessionOptions,
        UserKeyedTokenIssuer issuer,
        UserKeyedTokenHandler handler,
        RevocationCheck revocation,
        TimeProvider time,
        UserKeyedJwtMetrics metrics,
        ILogger<UserKeyedSessions> logger)
    {
        _options = options.Value;
        _sessionOptions = sessionOptions.Value;
        _issuer = issuer;
        _handler = handler;
        _revocation = revocation;
        _time = time;
        _metrics = metrics;
        _logger = logger;
    }

    /// <summary>Starts a session for <paramref name="user"/>, who has just signed in, and issues its first pair.</summary>
    /// <param name="user">The user's current key inputs.</param>
    /// <param name="claims">Further claims for the access token, such as roles. The refresh token carries none.</param>
    public SessionTokens Start(UserKeyInputs user, IEnumerable<Claim>? claims = null)
    {
        ArgumentNullException.ThrowIfNull(user);
        var now = DateTimeOffset.FromUnixTimeSeconds(_time.GetUtcNow().ToUnixTimeSeconds());
        var session = new UserKeyedSession(user.UserId, NewSessionId(), now);
        var tokens = Continue(user, session, claims) ?? throw new InvalidOperationException("A new session cannot be past its lifetime.");
        Log.SessionStarted(_logger, user.UserId, session.SessionId);
        return tokens;
    }

    /// <summary>
    /// Issues the next pair of an existing <paramref name="session"/>: after <see cref="RedeemAsync"/> redeemed its refresh
    /// token, or for the caller of "log out everywhere else". Returns <see langword="null"/> when the session is past its
    /// absolute lifetime.
    /// </summary>
    public SessionTokens? Continue(UserKeyInputs user, UserKeyedSession session, IEnumerable<Claim>? claims = null)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(session);
        if (!string.Equals(user.UserId, session.UserId, StringComparison.Ordinal))
        {
            throw new ArgumentException("The key inputs belong to another user than the session.", nameof(user));
        }

        // Whole seconds, as in the tokens; no token of the session outlives its absolute end.
        var remaining = TimeSpan.FromSeconds((session.AuthenticatedAt + _sessionOptions.AbsoluteLifetime).ToUnixTimeSeconds() - _time.GetUtcNow().ToUnixTimeSeconds());
        if (remaining <= TimeSpan.Zero)
        {
            return null;
        }

        var access = _issuer.Issue(user, claims, TokenPurpose.Access, Min(_options.AccessTokenLifetime, remaining), session);
        var refresh = _issuer.Issue(user, null, TokenPurpose.Refresh, Min(RefreshLifetime, remaining), session);
        return new SessionTokens(session, access, refresh);
    }

    /// <summary>
    /// Validates <paramref name="refreshToken"/> (signature under the user's current key, purpose, expiry, revocation list,
    /// absolute session lifetime) and consumes it. A token consumed before, outside
    /// <see cref="UserKeyedSessionOptions.RefreshReuseGraceWindow"/>, is <see cref="RefreshRedemptionStatus.Reused"/>: its session
    /// is revoked here, and the caller must revoke every token of the user.
    /// </summary>
    public async Task<RefreshRedemption> RedeemAsync(string refreshToken, CancellationToken cancellationToken = default)
    {
        var validation = await _handler.ValidateAsync(refreshToken, TokenPurpose.Refresh, cancellationToken).ConfigureAwait(false);
        if (!validation.IsValid)
        {
            return Rejected(validation.FailureReason ?? TokenFailureReason.Malformed);
        }

        var token = validation.Token!;
        if (UserKeyedSession.From(token) is not { } session)
        {
            // A refresh token issued without a session cannot be rotated.
            return Rejected(TokenFailureReason.Malformed);
        }

        var now = _time.GetUtcNow();
        if (now >= session.AuthenticatedAt + _sessionOptions.AbsoluteLifetime)
        {
            Log.SessionPastAbsoluteLifetime(_logger, session.UserId, session.SessionId);
            return Rejected(TokenFailureReason.Expired);
        }

        DateTimeOffset? firstUse;
        try
        {
            firstUse = await _revocation.CallAsync(
                static (store, state, ct) => store.TryConsumeAsync(state.Id, state.Now, state.Until, ct),
                (token.Id, Now: now, Until: new DateTimeOffset(token.ValidTo, TimeSpan.Zero) + _options.ClockSkew),
                cancellationToken).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Without the store, reuse cannot be detected: refresh always fails closed.
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
#pragma warning restore CA1031
        {
            _revocation.Failed("consume", ex, "the refresh is refused");
            return Rejected(TokenFailureReason.StoreUnavailable);
        }

        if (firstUse is null)
        {
            _metrics.Refresh("redeemed");
            return RefreshRedemption.Redeemed(session);
        }

        var since = now - firstUse.Value;
        if (_sessionOptions.RefreshReuseGraceWindow > TimeSpan.Zero && since <= _sessionOptions.RefreshReuseGraceWindow)
        {
            _metrics.Refresh("grace");
            Log.RefreshWithinGraceWindow(_logger, session.UserId, session.SessionId, since);
            return RefreshRedemption.Redeemed(session);
        }

        _metrics.Refresh("reused");
        Log.RefreshTokenReused(_logger, session.UserId, session.SessionId, since);
        try
        {
            // The caller rotates the stamp; ending the session here as well means the family dies even if it cannot.
            await EndAsync(session, cancellationToken).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // The stamp rotation the caller makes next covers the session too.
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
#pragma warning restore CA1031
        {
            _revocation.Failed("revoke_session", ex, "the session stays until the user's tokens are revoked");
        }

        return RefreshRedemption.Reused(session);
    }

    /// <summary>
    /// Ends <paramref name="session"/>: its access and refresh tokens go on the revocation list until the latest of them
    /// expires. Other sessions of the user are untouched. Throws when the store fails: the caller should then revoke every
    /// token of the user instead, which needs no store.
    /// </summary>
    public async ValueTask EndAsync(UserKeyedSession session, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(session);
        var latest = Min(session.AuthenticatedAt + _sessionOptions.AbsoluteLifetime, _time.GetUtcNow() + Max(RefreshLifetime, _options.AccessTokenLifetime)) + _options.ClockSkew;
        await _revocation.CallAsync(static (store, state, ct) => store.RevokeSessionAsync(state.SessionId, state.Until, ct).AsTaskOfTrue(), (session.SessionId, Until: latest), cancellationToken).ConfigureAwait(false);
        Log.SessionEnded(_logger, session.UserId, session.SessionId);
    }

    /// <summary>Revokes one token, by its <c>jti</c>, until <paramref name="expiresAt"/> (its <c>exp</c>). Throws when the store fails.</summary>
    public async ValueTask RevokeTokenAsync(string tokenId, DateTimeOffset expiresAt, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(tokenId);
        await _revocation.CallAsync(static (store, state, ct) => store.RevokeTokenAsync(state.TokenId, state.Until, ct).AsTaskOfTrue(), (TokenId: tokenId, Until: expiresAt + _options.ClockSkew), cancellationToken).ConfigureAwait(false);
        Log.TokenRevokedById(_logger, tokenId);
    }

    private TimeSpan RefreshLifetime => Min(_options.RefreshTokenLifetime, _sessionOptions.InactivityTimeout);

    private RefreshRedemption Rejected(TokenFailureReason reason)
    {
        _metrics.Refresh("rejected");
        return RefreshRedemption.Rejected(reason);
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private static string NewSessionId()
    {
        Span<byte> bytes = stackalloc byte[16];
        RandomNumberGenerator.Fill(bytes);
        return Base64Url.EncodeToString(bytes);
    }
}

internal static class ValueTaskExtensions
{
    public static async ValueTask<bool> AsTaskOfTrue(this ValueTask task)
    {
        await task.ConfigureAwait(false);
        return true;
    }
}
