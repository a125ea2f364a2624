using System.Diagnostics;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace UserKeyedJwt;

/// <summary>
/// Validates UserKeyedJwt tokens: the <see cref="JsonWebTokenHandler"/> that JwtBearer uses. Every token takes the same steps
/// in the same order, whatever the key cache holds, and only a token that passes the first six can cause a user-store read.
/// </summary>
/// <remarks>
/// One instance is a singleton, safe for concurrent use: get it from dependency injection after
/// <c>services.AddUserKeyedJwt(...)</c>. Rejections are results, never exceptions: the reason is in
/// <see cref="TokenValidationResult.Exception"/> as a <see cref="UserKeyedTokenValidationException"/>.
/// </remarks>
public sealed class UserKeyedTokenHandler : JsonWebTokenHandler
{
    // Random per process: the unknown-user decoy derives from them, so its key never verifies anything.
    private static readonly string DecoyStamp = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
    private static readonly string DecoyPasswordHash = Convert.ToBase64String(RandomNumberGenerator.GetBytes(61));
    private static readonly string DecoySessionSecret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    private readonly UserKeyedJwtOptions _options;
    private readonly ServerSecretRingProvider _ring;
    private readonly UserKeyCache _cache;
    private readonly UserKeyInputsLookup _lookup;
    private readonly TimeProvider _time;
    private readonly UserKeyedJwtMetrics _metrics;
    private readonly ILogger _logger;
    private readonly HardenedParameters _parameters;

    internal UserKeyedTokenHandler(
        IOptions<UserKeyedJwtOptions> options,
        ServerSecretRingProvider ring,
        UserKeyCache cache,
        UserKeyInputsLookup lookup,
        TimeProvider time,
        UserKeyedJwtMetrics metrics,
        ILogger<UserKeyedTokenHandler> logger)
    {
        (_options, _ring, _cache, _lookup, _time, _metrics, _logger) = (options.Value, ring, cache, lookup, time, metrics, logger);
        MaximumTokenSizeInBytes = _options.MaxTokenLength;
        _parameters = new HardenedParameters(_options, time);
    }

    /// <summary>
    /// Strict validation parameters for <paramref name="purpose"/>: the configured issuer and audience, HS256 only, the
    /// purpose's <c>typ</c>, a required expiry judged on <see cref="TimeProvider"/>, and <see cref="UserKeyedSigningKeyResolver"/>.
    /// </summary>
    public TokenValidationParameters CreateValidationParameters(TokenPurpose purpose = TokenPurpose.Access) => _parameters.Create(purpose);

    /// <summary>Validates an access token. JwtBearer calls this.</summary>
    public override Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
    {
        ArgumentNullException.ThrowIfNull(validationParameters);
        return ValidateCoreAsync(token, TokenPurpose.Access, validationParameters, CancellationToken.None);
    }

    /// <summary>Validates an access token that was read already; it is read again, by the same steps as any other.</summary>
    public override Task<TokenValidationResult> ValidateTokenAsync(SecurityToken token, TokenValidationParameters validationParameters)
    {
        ArgumentNullException.ThrowIfNull(validationParameters);
        return ValidateCoreAsync((token as JsonWebToken)?.EncodedToken, TokenPurpose.Access, validationParameters, CancellationToken.None);
    }

    /// <summary>Validates a token of the given purpose with the configured settings.</summary>
    /// <param name="token">The compact JWS.</param>
    /// <param name="purpose">Whether an access or a refresh token is expected.</param>
    /// <param name="cancellationToken">Cancels the user-store lookup; a cancelled lookup rejects the token.</param>
    public async Task<UserKeyedValidationResult> ValidateAsync(string token, TokenPurpose purpose = TokenPurpose.Access, CancellationToken cancellationToken = default)
    {
        var result = await ValidateCoreAsync(token, purpose, _parameters.Create(purpose), cancellationToken).ConfigureAwait(false);
        return result.IsValid
            ? UserKeyedValidationResult.Success(result.ClaimsIdentity, (JsonWebToken)result.SecurityToken)
            : UserKeyedValidationResult.Failure(((UserKeyedTokenValidationException)result.Exception).Reason);
    }

    /// <summary>
    /// For handlers that verify the signature themselves, such as <c>JwtSecurityTokenHandler</c>: takes every step up to the
    /// signature, and returns a hardened copy of <paramref name="validationParameters"/> that carries the user key for
    /// <see cref="UserKeyedSigningKeyResolver"/>, or why the token is rejected already.
    /// </summary>
    public async Task<UserKeyedPrefetchResult> PrefetchAsync(string token, TokenValidationParameters validationParameters, TokenPurpose purpose = TokenPurpose.Access, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(validationParameters);
        using var activity = UserKeyedJwtActivities.StartValidation(purpose);
        var prepared = await PrepareAsync(token, purpose, validationParameters, cancellationToken).ConfigureAwait(false);
        var reason = prepared.Failure ?? (prepared.Key!.RevokedTokenIds.Contains(prepared.Token!.Id) ? TokenFailureReason.TokenRevoked : null);
        if (reason is not null)
        {
            Reject(purpose, reason.Value, prepared.UserId, activity);
            return UserKeyedPrefetchResult.Failure(reason.Value);
        }

        // The signature is the caller's to check: this activity only says that every step before it passed.
        UserKeyedJwtActivities.Succeeded(activity, "prefetched");
        return UserKeyedPrefetchResult.Success(prepared.Parameters!);
    }

    private async Task<TokenValidationResult> ValidateCoreAsync(string? token, TokenPurpose purpose, TokenValidationParameters caller, CancellationToken cancellationToken)
    {
        using var activity = UserKeyedJwtActivities.StartValidation(purpose);
        var prepared = await PrepareAsync(token, purpose, caller, cancellationToken).ConfigureAwait(false);
        if (prepared.Parameters is null)
        {
            return Reject(purpose, prepared.Failure!.Value, prepared.UserId, activity);
        }

        // 9. IdentityModel's own validation of the parsed token, its signature under the key. The SecurityToken overload, so
        // that it does not come back to ours.
        var result = await base.ValidateTokenAsync(prepared.Token!, prepared.Parameters).ConfigureAwait(false);
        if (prepared.Failure is { } decoyed)
        {
            return Reject(purpose, decoyed, prepared.UserId, activity);
        }

        if (!result.IsValid)
        {
            return Reject(purpose, Classify(result.Exception), prepared.UserId, activity);
        }

        // 10. This one token on the jti denylist, as the store said when the key was derived: no read here.
        if (prepared.Key!.RevokedTokenIds.Contains(prepared.Token!.Id))
        {
            return Reject(purpose, TokenFailureReason.TokenRevoked, prepared.UserId, activity);
        }

        _metrics.Validated(purpose);
        UserKeyedJwtActivities.Succeeded(activity);
        Log.TokenValidated(_logger, prepared.UserId!, purpose);
        return result;
    }

    /// <summary>Steps 1 to 8: the parsed token and parameters that carry its key, or why it is rejected.</summary>
    private async ValueTask<Prepared> PrepareAsync(string? token, TokenPurpose purpose, TokenValidationParameters caller, CancellationToken cancellationToken)
    {
        string? userId = null;
        try
        {
            // 1. Size, before anything is decoded.
            if (string.IsNullOrEmpty(token) || token.Length > _options.MaxTokenLength)
            {
                return Prepared.Fail(TokenFailureReason.Malformed);
            }

            // 2. IdentityModel's parse, once: this JsonWebToken travels to the signature check.
            var jwt = ReadJsonWebToken(token);

            // 3. Strictness that IdentityModel lacks.
            if (TokenStrictness.Check(jwt, purpose, out var kid) is { } malformed)
            {
                return Prepared.Fail(malformed);
            }

            // 4. Subject, token id, session id, lifetime, issuer and audience.
            if (_parameters.CheckClaims(jwt, out var sessionId) is { } claims)
            {
                return Prepared.Fail(claims);
            }

            // 5. The secret ring: removing a secret revokes every token signed under it.
            userId = jwt.Subject;
            if (_ring.Current.Find(kid.SecretId) is not { } secret)
            {
                Log.UnknownServerSecret(_logger, kid.SecretId);
                return Prepared.Fail(TokenFailureReason.UnknownServerSecret, userId);
            }

            // 6. The kid tag proves that the server issued a token of this purpose for this subject, as does a kid equal to the
            // cached key's: a subject the server never signed gets no further, and costs no store read.
            var key = _cache.Find(userId, secret, purpose, sessionId);
            if ((key is null || !key.HasKid(jwt.Kid)) && !secret.TagMatches(purpose, userId, kid.Fingerprint, kid.Tag))
            {
                return Prepared.Fail(TokenFailureReason.InvalidKidTag, userId);
            }

            // 7. The cached key, or one lookup and a derivation. A token that may be newer than the cached key asks the store.
            if (key is null || (!key.HasFingerprint(kid.Fingerprint) && _cache.MayPredate(key, jwt.IssuedAt)))
            {
                var epoch = _cache.Epoch;
                var found = await _lookup.FindAsync(userId, sessionId, cancellationToken).ConfigureAwait(false);
                if (found.Failure == TokenFailureReason.UnknownUser)
                {
                    // Timing: a deleted user's token costs what a known user's bad signature costs (the same reads, a derivation,
                    // and the same signature check under a key from random inputs, which fails), so response times do not tell who exists.
                    var decoySession = sessionId is null ? null : new UserKeyedSession(sessionId, userId, DecoySessionSecret, default, default, default, 0, null);
                    var decoy = UserKey.Derive(secret, new UserKeyInputs(userId, DecoyStamp, DecoyPasswordHash), purpose, decoySession, 0).WithKid(jwt.Kid);
                    return new Prepared(jwt, decoy, _parameters.WithKey(caller, purpose, decoy), found.Failure, userId);
                }

                if (found.Failure is { } failure)
                {
                    return Prepared.Fail(failure, userId);
                }

                key = UserKey.Derive(secret, found.Inputs!, purpose, found.Session, _time.GetTimestamp(), found.RevokedTokenIds);
                _cache.Add(userId, key, epoch);
            }

            // 8. The fingerprint: the tag is genuine, so another fingerprint means the key inputs changed since issuance.
            return key.HasFingerprint(kid.Fingerprint)
                ? new Prepared(jwt, key, _parameters.WithKey(caller, purpose, key), null, userId)
                : Prepared.Fail(TokenFailureReason.KeyInputsChanged, userId);
        }
#pragma warning disable CA1031 // The one fail-closed boundary: whatever a hostile token makes throw, it is malformed, never a 500.
        catch (Exception)
#pragma warning restore CA1031
        {
            return Prepared.Fail(TokenFailureReason.Malformed, userId);
        }
    }

    private static TokenFailureReason Classify(Exception? exception) => exception switch
    {
        SecurityTokenInvalidSignatureException or SecurityTokenSignatureKeyNotFoundException => TokenFailureReason.InvalidSignature,
        SecurityTokenExpiredException or SecurityTokenInvalidLifetimeException => TokenFailureReason.Expired,
        SecurityTokenNotYetValidException => TokenFailureReason.NotYetValid,
        _ => TokenFailureReason.Malformed,
    };

    private TokenValidationResult Reject(TokenPurpose purpose, TokenFailureReason reason, string? userId, Activity? activity)
    {
        _metrics.Rejected(purpose, reason);
        UserKeyedJwtActivities.Failed(activity, reason);
        Log.TokenRejected(_logger, userId, purpose, reason);
        return new TokenValidationResult { IsValid = false, Exception = new UserKeyedTokenValidationException(reason) };
    }

    /// <summary>The parsed token, its key and the parameters that carry it; a failure; or, for an unknown user, both (the decoy).</summary>
    private readonly record struct Prepared(JsonWebToken? Token, UserKey? Key, TokenValidationParameters? Parameters, TokenFailureReason? Failure, string? UserId)
    {
        public static Prepared Fail(TokenFailureReason reason, string? userId = null) => new(null, null, null, reason, userId);
    }
}
