using System.Buffers.Text;
using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace UserKeyedJwt;

/// <summary>
/// Sessions: a sign-in starts one, stored in an <see cref="IUserKeyedSessionStore"/>, with an access token and a refresh token
/// whose keys derive from the user's key inputs and the session's secret. A refresh redeems the refresh token once, by a
/// compare-and-set on the session's generation, and issues the next pair; ending a session deletes it, and every token of it
/// stops validating.
/// </summary>
/// <remarks>
/// Nothing here mints a token without a sign-in or a refresh token: ending sessions, this one or the others, issues nothing.
/// A refresh issues the next pair only from key inputs read after the refresh token was validated and whose fingerprint is the
/// one it was validated under, so a revocation that commits during a refresh leaves no token alive.
/// </remarks>
public sealed class UserKeyedSessions
{
    private readonly UserKeyedJwtOptions _options;
    private readonly UserKeyedSessionOptions _sessionOptions;
    private readonly UserKeyedTokenIssuer _issuer;
    private readonly UserKeyedTokenHandler _handler;
    private readonly IUserKeyedSessionStore _store;
    private readonly IRevokedTokenStore _revokedTokens;
    private readonly UserKeyInputsLookup _lookup;
    private readonly ServerSecretRingProvider _ring;
    private readonly IUserKeyCache _cache;
    private readonly TimeProvider _time;
    private readonly UserKeyedJwtMetrics _metrics;
    private readonly ILogger _logger;

    internal UserKeyedSessions(
        IOptions<UserKeyedJwtOptions> options,
        IOptions<UserKeyedSessionOptions> sessionOptions,
        UserKeyedTokenIssuer issuer,
        UserKeyedTokenHandler handler,
        IUserKeyedSessionStore store,
        IRevokedTokenStore revokedTokens,
        UserKeyInputsLookup lookup,
        ServerSecretRingProvider ring,
        IUserKeyCache cache,
        TimeProvider time,
        UserKeyedJwtMetrics metrics,
        ILogger<UserKeyedSessions> logger)
    {
        (_options, _sessionOptions, _issuer, _handler, _store, _revokedTokens) = (options.Value, sessionOptions.Value, issuer, handler, store, revokedTokens);
        (_lookup, _ring, _cache, _time, _metrics, _logger) = (lookup, ring, cache, time, metrics, logger);
    }

    /// <summary>Starts a session for <paramref name="user"/>, who has just signed in, and issues its first pair.</summary>
    /// <param name="user">The user's current key inputs.</param>
    /// <param name="claims">Further claims for the access token, such as roles. The refresh token carries none.</param>
    /// <param name="device">A short label of the device, such as its user agent; cut to <see cref="UserKeyedSession.MaxDeviceLength"/> printable characters.</param>
    /// <param name="cancellationToken">Cancels the store write.</param>
    public async Task<SessionTokens> StartAsync(UserKeyInputs user, IEnumerable<Claim>? claims = null, string? device = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(user);
        var now = WholeSeconds(_time.GetUtcNow());
        var session = new UserKeyedSession(NewRandom(16), user.UserId, NewRandom(32), now, now, now + _sessionOptions.AbsoluteLifetime, 0, Label(device));
        var ended = await _store.AddAsync(session, _sessionOptions.MaxSessionsPerUser, cancellationToken).ConfigureAwait(false);
        if (ended.Count > 0)
        {
            Log.SessionCapReached(_logger, user.UserId, _sessionOptions.MaxSessionsPerUser);
            Ended(user.UserId, ended, "the library", "cap");
        }

        _metrics.SessionStarted();
        Log.SessionStarted(_logger, user.UserId, session.Id);
        return Issue(user, session, claims, now);
    }

    /// <summary>
    /// Redeems <paramref name="refreshToken"/> and issues its session's next pair. A refresh token of an older generation than
    /// the session's ends the session (reuse: one of two holders has a stolen token), unless it comes within
    /// <see cref="UserKeyedSessionOptions.RefreshReuseGraceWindow"/> of the last redemption.
    /// </summary>
    /// <param name="refreshToken">The refresh token.</param>
    /// <param name="claims">Reads the access token's further claims for the user, given the key inputs the pair derives from.</param>
    /// <param name="cancellationToken">Cancels the store reads and writes.</param>
    public async Task<RefreshResult> RefreshAsync(string refreshToken, Func<UserKeyInputs, CancellationToken, ValueTask<IEnumerable<Claim>>>? claims = null, CancellationToken cancellationToken = default)
    {
        using var activity = UserKeyedJwtActivities.StartRefresh();
        var result = await RedeemAsync(refreshToken, claims, cancellationToken).ConfigureAwait(false);
        if (result.FailureReason is { } reason)
        {
            UserKeyedJwtActivities.Failed(activity, reason);
        }
        else
        {
            UserKeyedJwtActivities.Succeeded(activity, result.ReuseDetected ? "reused" : "success");
        }

        return result;
    }

    private async Task<RefreshResult> RedeemAsync(string refreshToken, Func<UserKeyInputs, CancellationToken, ValueTask<IEnumerable<Claim>>>? claims, CancellationToken cancellationToken)
    {
        var validation = await _handler.ValidateAsync(refreshToken, TokenPurpose.Refresh, cancellationToken).ConfigureAwait(false);
        if (!validation.IsValid)
        {
            return Refused(null, null, validation.FailureReason!.Value);
        }

        var token = validation.Token!;
        var userId = token.Subject;
        if (!token.TryGetPayloadValue<string>(UserKeyedSession.SessionIdClaimType, out var sessionId) || string.IsNullOrEmpty(sessionId)
            || !token.TryGetPayloadValue<long>(UserKeyedSession.GenerationClaimType, out var generation) || generation < 0)
        {
            return Refused(userId, null, TokenFailureReason.Malformed);
        }

        // The inputs and the session as the stores hold them now, not as a cache does: the next pair derives from exactly these,
        // and only if they are still the ones the refresh token was validated under.
        var found = await _lookup.FindAsync(userId, sessionId, cancellationToken).ConfigureAwait(false);
        if (found.Failure is { } failure)
        {
            return Refused(userId, sessionId, failure);
        }

        if (!TokenStrictness.KidParts.TryParse(token.Kid, out var kid) || _ring.Current.Find(kid.SecretId) is not { } secret)
        {
            return Refused(userId, sessionId, TokenFailureReason.UnknownServerSecret);
        }

        if (!UserKey.Derive(secret, found.Inputs!, TokenPurpose.Refresh, found.Session, 0).HasFingerprint(kid.Fingerprint))
        {
            return Refused(userId, sessionId, TokenFailureReason.KeyInputsChanged);
        }

        if (found.RevokedTokenIds!.Contains(token.Id))
        {
            return Refused(userId, sessionId, TokenFailureReason.TokenRevoked);
        }

        var now = WholeSeconds(_time.GetUtcNow());
        var session = found.Session!;
        try
        {
            if (session.Generation != generation || !await BoundedAsync(ct => _store.TryAdvanceAsync(sessionId, generation, now, ct), cancellationToken).ConfigureAwait(false))
            {
                return await RedeemAgainAsync(found.Inputs!, sessionId, generation, now, claims, cancellationToken).ConfigureAwait(false);
            }
        }
#pragma warning disable CA1031 // Whatever the store throws, the refresh is refused as StoreUnavailable: fail closed.
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
#pragma warning restore CA1031
        {
            Log.UserStoreFailed(_logger, userId, "sessions", ex.GetType().FullName ?? ex.GetType().Name);
            return Refused(userId, sessionId, TokenFailureReason.StoreUnavailable);
        }

        _metrics.Refresh("redeemed");
        Log.SessionRefreshed(_logger, userId, sessionId, generation + 1);
        var advanced = new UserKeyedSession(session.Id, userId, session.Secret, session.CreatedAt, now, session.ExpiresAt, generation + 1, session.Device);
        return RefreshResult.Refreshed(Issue(found.Inputs!, advanced, claims is null ? null : await claims(found.Inputs!, cancellationToken).ConfigureAwait(false), now));
    }

    /// <summary>The sessions of <paramref name="userId"/> that have not ended, most recently refreshed first.</summary>
    public async Task<IReadOnlyList<UserKeyedSession>> ListAsync(string userId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        var now = _time.GetUtcNow();
        var sessions = await _store.ListAsync(userId, cancellationToken).ConfigureAwait(false);
        return [.. sessions.Where(s => s.ExpiresAt > now && s.LastRefreshedAt > now - _sessionOptions.InactivityTimeout)];
    }

    /// <summary>Ends the session <paramref name="sessionId"/> of <paramref name="userId"/>: every token of it stops validating, on every node.</summary>
    /// <param name="userId">The session's user.</param>
    /// <param name="sessionId">The session.</param>
    /// <param name="reason">Why, for logs and metrics.</param>
    /// <param name="endedBy">Who ended it, for logs: the user's id, an administrator's, or a name.</param>
    /// <param name="cancellationToken">Cancels the store write.</param>
    /// <returns>Whether it did: <see langword="false"/> when the user has no such session.</returns>
    public async Task<bool> EndAsync(string userId, string sessionId, SessionEndReason reason, string endedBy, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        ArgumentException.ThrowIfNullOrEmpty(sessionId);
        if (!await _store.RemoveAsync(userId, sessionId, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        Ended(userId, [sessionId], endedBy, Tag(reason));
        return true;
    }

    /// <summary>Ends every session of <paramref name="userId"/> but <paramref name="exceptSessionId"/>, if given.</summary>
    /// <returns>How many sessions it ended.</returns>
    public async Task<int> EndAllAsync(string userId, string? exceptSessionId, SessionEndReason reason, string endedBy, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        var ended = await _store.RemoveAllAsync(userId, exceptSessionId, cancellationToken).ConfigureAwait(false);
        Ended(userId, ended, endedBy, Tag(reason));
        return ended.Count;
    }

    /// <summary>
    /// Puts the token <paramref name="tokenId"/> of <paramref name="userId"/> on the <c>jti</c> denylist until
    /// <paramref name="expiresAt"/>, its expiry: it stops validating on every node, and the user's other tokens stay valid.
    /// </summary>
    /// <returns>
    /// Whether it did: <see langword="false"/> when the user has <see cref="UserKeyedSessionOptions.MaxRevokedTokensPerUser"/>
    /// tokens on the denylist already. End the user's sessions, or rotate the user's security stamp, instead.
    /// </returns>
    public async Task<bool> RevokeTokenAsync(string userId, string tokenId, DateTimeOffset expiresAt, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        ArgumentException.ThrowIfNullOrEmpty(tokenId);
        var now = _time.GetUtcNow();
        if (!await _revokedTokens.RevokeAsync(userId, tokenId, expiresAt + _options.ClockSkew, _sessionOptions.MaxRevokedTokensPerUser, now, cancellationToken).ConfigureAwait(false))
        {
            Log.RevokedTokensFull(_logger, userId, tokenId);
            return false;
        }

        _cache.Invalidate(userId);
        Log.TokenRevokedById(_logger, userId, tokenId);
        return true;
    }

    /// <summary>A redemption whose compare-and-set found another generation: a parallel refresh in the grace window, or reuse.</summary>
    private async Task<RefreshResult> RedeemAgainAsync(UserKeyInputs inputs, string sessionId, long generation, DateTimeOffset now, Func<UserKeyInputs, CancellationToken, ValueTask<IEnumerable<Claim>>>? claims, CancellationToken cancellationToken)
    {
        var latest = await BoundedAsync(ct => _store.FindAsync(sessionId, ct), cancellationToken).ConfigureAwait(false);
        if (latest is null || latest.UserId != inputs.UserId || latest.ExpiresAt <= now)
        {
            return Refused(inputs.UserId, sessionId, TokenFailureReason.SessionEnded);
        }

        // The window counts from the last real redemption, which a redemption in it does not move: it cannot be chained.
        var since = now - latest.LastRefreshedAt;
        var window = _sessionOptions.RefreshReuseGraceWindow;
        if (window > TimeSpan.Zero && latest.Generation == generation + 1 && since <= window)
        {
            _metrics.Refresh("grace");
            Log.RefreshWithinGraceWindow(_logger, inputs.UserId, sessionId, since);
            return RefreshResult.Refreshed(Issue(inputs, latest, claims is null ? null : await claims(inputs, cancellationToken).ConfigureAwait(false), now));
        }

        // RFC 9700 §4.14.2: an older refresh token means one of two holders has a stolen one, and the server cannot tell which.
        _metrics.Refresh("reused");
        Log.RefreshTokenReused(_logger, inputs.UserId, sessionId, generation, latest.Generation);
        if (await BoundedAsync(ct => _store.RemoveAsync(inputs.UserId, sessionId, ct), cancellationToken).ConfigureAwait(false))
        {
            Ended(inputs.UserId, [sessionId], "the library", "reused");
        }

        return RefreshResult.Reused();
    }

    // A refresh's writes are bounded like the reads: a store that hangs cannot hold the request past the timeout.
    private async ValueTask<T> BoundedAsync<T>(Func<CancellationToken, ValueTask<T>> call, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(_options.StoreTimeout, _time);
        using var link = cancellationToken.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), timeout);
        var pending = call(timeout.Token);
        return pending.IsCompleted ? await pending.ConfigureAwait(false) : await pending.AsTask().WaitAsync(timeout.Token).ConfigureAwait(false);
    }

    private SessionTokens Issue(UserKeyInputs user, UserKeyedSession session, IEnumerable<Claim>? claims, DateTimeOffset now)
    {
        var remaining = session.ExpiresAt - now;
        var access = _issuer.Issue(user, claims, TokenPurpose.Access, Min(_options.AccessTokenLifetime, remaining), session);
        var refresh = _issuer.Issue(user, null, TokenPurpose.Refresh, Min(Min(_options.RefreshTokenLifetime, _sessionOptions.InactivityTimeout), remaining), session);
        return new SessionTokens(session, access, refresh);
    }

    private void Ended(string userId, IReadOnlyList<string> sessionIds, string endedBy, string reason)
    {
        if (sessionIds.Count == 0)
        {
            return;
        }

        // Every node drops the user's cached keys, so the ended sessions' tokens fail on the next request anywhere.
        _cache.Invalidate(userId);
        _metrics.SessionsEnded(reason, sessionIds.Count);
        foreach (var sessionId in sessionIds)
        {
            Log.SessionEnded(_logger, userId, sessionId, endedBy, reason);
        }
    }

    private RefreshResult Refused(string? userId, string? sessionId, TokenFailureReason reason)
    {
        _metrics.Refresh("rejected");
        if (userId is not null && sessionId is not null)
        {
            Log.RefreshRefused(_logger, userId, sessionId, reason);
        }

        return RefreshResult.Refused(reason);
    }

    private static string Tag(SessionEndReason reason) => reason switch
    {
        SessionEndReason.Logout => "logout",
        SessionEndReason.LogoutOthers => "logout_others",
        SessionEndReason.LogoutAll => "logout_all",
        _ => "ended",
    };

    private static string? Label(string? device)
    {
        if (string.IsNullOrWhiteSpace(device))
        {
            return null;
        }

        // Shown back to the user in their sessions list: printable characters only, and short.
        var printable = new string([.. device.Where(c => !char.IsControl(c) && !char.IsSurrogate(c))]).Trim();
        return printable.Length <= UserKeyedSession.MaxDeviceLength ? printable : printable[..UserKeyedSession.MaxDeviceLength];
    }

    private static string NewRandom(int bytes) => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(bytes));

    // Whole seconds, as in the tokens.
    private static DateTimeOffset WholeSeconds(DateTimeOffset time) => DateTimeOffset.FromUnixTimeSeconds(time.ToUnixTimeSeconds());

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
