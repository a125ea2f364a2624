using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using UserKeyedJwt.Internal;

namespace UserKeyedJwt;

/// <summary>
/// A <see cref="JsonWebTokenHandler"/> that validates UserKeyedJwt tokens. It runs every cheap check first (size, shape,
/// header, lifetime, issuer, audience and the <c>kid</c> pre-authenticator tag), so forged subjects never reach the user
/// store. It then makes at most one asynchronous lookup, places the derived user key where
/// <see cref="UserKeyedSigningKeyResolver"/> finds it, and lets IdentityModel verify the signature.
/// </summary>
/// <remarks>
/// One instance is a singleton, safe for concurrent use. Get it from dependency injection after
/// <c>services.AddUserKeyedJwt(...)</c>. Rejections are results, never exceptions: the reason is in
/// <see cref="TokenValidationResult.Exception"/> as a <see cref="UserKeyedTokenValidationException"/>.
/// </remarks>
public sealed class UserKeyedTokenHandler : JsonWebTokenHandler
{
    private const long MaxUnixSeconds = 253_402_300_799; // 9999-12-31T23:59:59Z

    private static readonly string[] OnlyHs256 = [SecurityAlgorithms.HmacSha256];
    private static readonly string[] AccessTypes = [TokenShape.AccessType];
    private static readonly string[] RefreshTypes = [TokenShape.RefreshType];

    // Per-process random stand-ins of a real stamp's and an Identity V3 hash's length, for SpendAsForKnownUserAsync.
    private static readonly string DummyStamp = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
    private static readonly string DummyPasswordHash = Convert.ToBase64String(RandomNumberGenerator.GetBytes(61));

    private readonly ServerSecretRingProvider _ring;
    private readonly UserKeyCache _cache;
    private readonly IUserKeyMaterialSource _source;
    private readonly TimeProvider _time;
    private readonly UserKeyedJwtMetrics _metrics;
    private readonly ILogger _logger;
    private readonly UserKeyedJwtOptions _options;
    private readonly TokenValidationParameters _accessParameters;
    private readonly TokenValidationParameters _refreshParameters;
    private readonly RevocationCheck? _revocation;
    private readonly byte[] _issuerUtf8;
    private readonly byte[] _audienceUtf8;
    private HardenedTemplate? _accessTemplate;
    private HardenedTemplate? _refreshTemplate;

    internal UserKeyedTokenHandler(
        IOptions<UserKeyedJwtOptions> options,
        ServerSecretRingProvider ring,
        UserKeyCache cache,
        IUserKeyMaterialSource source,
        TimeProvider time,
        UserKeyedJwtMetrics metrics,
        ILogger<UserKeyedTokenHandler> logger,
        RevocationCheck? revocation = null)
    {
        _options = options.Value;
        _revocation = revocation;
        _ring = ring;
        _cache = cache;
        _source = source;
        _time = time;
        _metrics = metrics;
        _logger = logger;
        MaximumTokenSizeInBytes = _options.MaxTokenLength;
        _issuerUtf8 = System.Text.Encoding.UTF8.GetBytes(_options.Issuer!);
        _audienceUtf8 = System.Text.Encoding.UTF8.GetBytes(_options.Audience!);
        SetDefaultTimesOnTokenCreation = false;
        _accessParameters = CreateValidationParameters(TokenPurpose.Access);
        _refreshParameters = CreateValidationParameters(TokenPurpose.Refresh);
    }

    /// <summary>
    /// Strict validation parameters for <paramref name="purpose"/>: the configured issuer and audience, HS256 only, the
    /// purpose's <c>typ</c>, required expiry, the configured clock skew and <see cref="TimeProvider"/>, and
    /// <see cref="UserKeyedSigningKeyResolver"/>. Use them when wiring a handler by hand.
    /// </summary>
    public TokenValidationParameters CreateValidationParameters(TokenPurpose purpose = TokenPurpose.Access)
    {
        var parameters = new TokenValidationParameters();
        Harden(parameters, purpose);
        return parameters;
    }

    /// <summary>Validates an access token. JwtBearer calls this.</summary>
    public override Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
    {
        ArgumentNullException.ThrowIfNull(validationParameters);
        return ValidateCoreAsync(token, validationParameters, TokenPurpose.Access, CancellationToken.None);
    }

    /// <summary>Validates an access token that was read already.</summary>
    public override Task<TokenValidationResult> ValidateTokenAsync(SecurityToken token, TokenValidationParameters validationParameters)
    {
        ArgumentNullException.ThrowIfNull(validationParameters);
        return token is JsonWebToken jwt
            ? ValidateCoreAsync(jwt.EncodedToken, validationParameters, TokenPurpose.Access, CancellationToken.None)
            : Task.FromResult(Reject(TokenPurpose.Access, TokenFailureReason.Malformed, null));
    }

    /// <summary>Validates a token of the given purpose with the configured settings.</summary>
    /// <param name="token">The compact JWS.</param>
    /// <param name="purpose">Whether an access or a refresh token is expected.</param>
    /// <param name="cancellationToken">Cancels the user-store lookup; a cancelled lookup rejects the token.</param>
    public async Task<UserKeyedValidationResult> ValidateAsync(string token, TokenPurpose purpose = TokenPurpose.Access, CancellationToken cancellationToken = default)
    {
        var parameters = purpose == TokenPurpose.Refresh ? _refreshParameters : _accessParameters;
        var result = await ValidateCoreAsync(token, parameters, purpose, cancellationToken).ConfigureAwait(false);
        return result.IsValid
            ? UserKeyedValidationResult.Success(result.ClaimsIdentity, (JsonWebToken)result.SecurityToken)
            : UserKeyedValidationResult.Failure((result.Exception as UserKeyedTokenValidationException)?.Reason ?? TokenFailureReason.Malformed);
    }

    /// <summary>
    /// For handlers that call the resolver themselves, such as <c>JwtSecurityTokenHandler</c>: runs the cheap checks and the
    /// one asynchronous lookup, and returns a hardened copy of <paramref name="validationParameters"/> carrying the user key
    /// for <see cref="UserKeyedSigningKeyResolver"/>, or the reason the token is rejected already.
    /// </summary>
    public async Task<UserKeyedPrefetchResult> PrefetchAsync(string token, TokenValidationParameters validationParameters, TokenPurpose purpose = TokenPurpose.Access, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(validationParameters);
        var prepared = await PrepareAsync(token, purpose, cancellationToken).ConfigureAwait(false);
        if (prepared.Failure is { } reason)
        {
            Reject(purpose, reason, prepared.UserId);
            return UserKeyedPrefetchResult.Failure(reason);
        }

        var parameters = validationParameters.Clone();
        Harden(parameters, purpose);
        UserKeyedSigningKeyResolver.Place(parameters, prepared.Key!);
        return UserKeyedPrefetchResult.Success(parameters);
    }

    private async Task<TokenValidationResult> ValidateCoreAsync(string token, TokenValidationParameters validationParameters, TokenPurpose purpose, CancellationToken cancellationToken)
    {
        var header = ReadKid(token, purpose);
        if (header.Failure is { } headerFailure)
        {
            return Reject(purpose, headerFailure, null);
        }

        JsonWebToken jwt;
        UserSigningKey key;
        string userId;
        long? pendingEpoch = null;
        var warm = _cache.FindByKid(header.Kid!, purpose);
        if (warm is not null && ReferenceEquals(_ring.Current.Find(warm.Secret.Id), warm.Secret))
        {
            // A token whose exact kid a cached key verified before (D25): the key is settled without the payload reader, the
            // tag MAC or the user lookup, so IdentityModel's parse comes first and our checks read from it.
            key = warm;
            userId = key.UserId;
            if (ReadChecked(header.Encoded!, header.Kid!) is not { } parsed)
            {
                return Reject(purpose, TokenFailureReason.Malformed, userId);
            }

            jwt = parsed;
            if (!string.Equals(jwt.Subject, userId, StringComparison.Ordinal))
            {
                // The kid's tag belongs to another subject than the payload names.
                return Reject(purpose, TokenFailureReason.Forged, null);
            }

            if (CheckLifetime(jwt.ValidTo, jwt.ValidFrom == DateTime.MinValue ? null : jwt.ValidFrom) is { } lifetimeFailure)
            {
                return Reject(purpose, lifetimeFailure, userId);
            }

            _metrics.CacheHit();
        }
        else
        {
            var prepared = await PrepareAsync(header, purpose, deferKid: true, cancellationToken).ConfigureAwait(false);
            if (prepared.Failure is { } reason)
            {
                return Reject(purpose, reason, prepared.UserId);
            }

            key = prepared.Key!;
            userId = prepared.UserId!;
            pendingEpoch = prepared.KidPending ? prepared.Epoch : null;

            // The one full parse, only now that the cheap checks, the tag and the key are settled. The key was chosen by our
            // reading of kid and sub; IdentityModel must have read the same, or the claims the caller sees could belong to
            // another subject than the key. Always true for tokens we issue.
            if (ReadChecked(header.Encoded!, header.Kid!) is not { } parsed || !string.Equals(parsed.Subject, userId, StringComparison.Ordinal))
            {
                return Reject(purpose, TokenFailureReason.Malformed, userId);
            }

            jwt = parsed;
        }

        // No per-request clone: the hardened parameters are shared, and the key is handed to the resolver for the duration
        // of IdentityModel's synchronous validation on this thread (D17, D25).
        var parameters = HardenedFor(validationParameters, purpose);
        TokenValidationResult result;
        try
        {
            result = await ValidateUnderAsync(key, jwt, parameters).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Fail closed: nothing that goes wrong in IdentityModel may authenticate or escape as a 500.
        catch (Exception)
#pragma warning restore CA1031
        {
            return Reject(purpose, TokenFailureReason.Malformed, userId);
        }

        if (pendingEpoch is { } epochAtLookup)
        {
            // A key fresh from the store claimed the token's kid (D26). A verified signature proves the kid is the key's own;
            // otherwise the key's own kid is computed, and a fingerprint other than the token's means the user's key inputs
            // changed. Either way the key is cached with its true kid, so a revoked token's replays cost no store read.
            if (result.IsValid)
            {
                key.ConfirmAdoptedKid();
            }
            else
            {
                key.ComputeOwnKid();
            }

            _cache.Add(key, epochAtLookup);
            if (!result.IsValid && !key.MatchesFingerprint(header.FingerprintText))
            {
                return Reject(purpose, TokenFailureReason.Revoked, userId);
            }
        }

        if (!result.IsValid)
        {
            return Reject(purpose, Classify(result.Exception), userId);
        }

        // The signature verified under this key for this exact kid: later tokens with the kid may take the warm path.
        if (warm is null)
        {
            _cache.RememberKid(key, header.Kid!);
        }

        // The denylist runs only now that the signature verified: a forged token never costs a store call.
        if (_revocation is not null && await _revocation.CheckAsync((JsonWebToken)result.SecurityToken, cancellationToken).ConfigureAwait(false) is { } revoked)
        {
            return Reject(purpose, revoked, userId);
        }

        _metrics.Validated(purpose);
        Log.TokenValidated(_logger, userId, purpose);
        return result;
    }

    /// <summary>
    /// IdentityModel's validation of <paramref name="jwt"/>, with <paramref name="key"/> handed to the resolver for exactly
    /// the synchronous part of the call: set right before it, cleared right after it returns, before the task is awaited
    /// (D25). The SecurityToken overload, so that it does not call back into our string override.
    /// </summary>
    private Task<TokenValidationResult> ValidateUnderAsync(UserSigningKey key, JsonWebToken jwt, TokenValidationParameters parameters)
    {
        UserKeyedSigningKeyResolver.Prepare(key);
        try
        {
            return base.ValidateTokenAsync(jwt, parameters);
        }
        finally
        {
            UserKeyedSigningKeyResolver.Prepare(null);
        }
    }

    /// <summary>
    /// IdentityModel's parse of a token whose header we read: <see langword="null"/> if it throws, reads another kid, or
    /// throws on reading the subject or the lifetime (read here, inside the catch, so that the callers' reads are cached).
    /// </summary>
    private JsonWebToken? ReadChecked(string token, string kid)
    {
        try
        {
            var jwt = ReadJsonWebToken(token);
            _ = (jwt.Subject, jwt.ValidTo, jwt.ValidFrom);
            return string.Equals(jwt.Kid, kid, StringComparison.Ordinal) ? jwt : null;
        }
#pragma warning disable CA1031 // Whatever the parser throws, the token is malformed, never a 500.
        catch (Exception)
#pragma warning restore CA1031
        {
            return null;
        }
    }

    private TokenFailureReason? CheckLifetime(DateTime expires, DateTime? notBefore)
    {
        // Compared as now - skew and now + skew, so that an exp near DateTime.MaxValue cannot overflow.
        var now = _time.GetUtcNow().UtcDateTime;
        if (now.Subtract(_options.ClockSkew) > expires)
        {
            return TokenFailureReason.Expired;
        }

        return notBefore is { } nbf && nbf > now.Add(_options.ClockSkew) ? TokenFailureReason.NotYetValid : null;
    }

    private ValueTask<Preparation> PrepareAsync(string? token, TokenPurpose purpose, CancellationToken cancellationToken)
    {
        var header = ReadKid(token, purpose);
        return header.Failure is { } failure
            ? ValueTask.FromResult(Preparation.Fail(failure))
            : PrepareAsync(header, purpose, deferKid: false, cancellationToken);
    }

    /// <param name="header">The token's header, read.</param>
    /// <param name="purpose">Access or refresh.</param>
    /// <param name="deferKid">
    /// The caller verifies the signature itself and then settles a fresh key's kid (D26); otherwise (prefetch, where another
    /// handler verifies later) a fresh key's kid is computed and checked here.
    /// </param>
    /// <param name="cancellationToken">Cancels the lookup.</param>
    private async ValueTask<Preparation> PrepareAsync(HeaderRead header, TokenPurpose purpose, bool deferKid, CancellationToken cancellationToken)
    {
        if (CheckCheaply(header, out var userId, out var secret, out var issuedAt) is { } cheapFailure)
        {
            return Preparation.Fail(cheapFailure);
        }

        var kid = header.Kid!;
        var key = _cache.Find(userId, secret, purpose);

        // A cached key's kid is the genuine kid for this subject, secret and current fingerprint, tag included, so an
        // equal kid proves what the tag would. Only a differing kid needs the tag MAC, and always before any lookup.
        if (key is not null && key.MatchesKid(kid))
        {
            _metrics.CacheHit();
            return new Preparation(key, userId, null);
        }

        if (!TagVerifies(secret, userId, header.FingerprintText, header.TagText))
        {
            return Preparation.Fail(TokenFailureReason.Forged);
        }

        // A cached key with another fingerprint means revoked, unless the token may be newer than the cached key: issued on
        // another node after a change whose invalidation has not reached this one. Then the store decides. (The tag verified,
        // so only the holder of a genuine token of this user can ask for that read.)
        if (key is not null && !key.MatchesFingerprint(header.FingerprintText) &&
            issuedAt is { } issued && _cache.MayPredate(key, issued, _options.ClockSkew))
        {
            key = null;
        }

        if (key is not null)
        {
            _metrics.CacheHit();
        }
        else
        {
            _metrics.CacheMiss();
            var epoch = _cache.Epoch;
            var (material, failure) = await LookupAsync(userId, cancellationToken).ConfigureAwait(false);
            if (failure is not null)
            {
                if (failure == TokenFailureReason.UnknownUser)
                {
                    await SpendAsForKnownUserAsync(header, secret, userId, purpose, deferKid).ConfigureAwait(false);
                }

                return Preparation.Fail(failure.Value, userId);
            }

            if (deferKid)
            {
                // No fingerprint or tag yet: the signature check settles the kid, and the key is cached after it (D26).
                key = UserSigningKey.ClaimingKid(secret, material!, purpose, kid);
                return new Preparation(key, userId, null, Epoch: epoch, KidPending: true);
            }

            // The tag verified for the token's fingerprint: when the derived key has that fingerprint, its tag is that tag.
            key = UserSigningKey.DeriveForVerifiedKid(secret, material!, purpose, header.FingerprintText, header.TagText);
            _cache.Add(key, epoch);
        }

        // The tag verified, so a differing fingerprint means the user's key inputs changed since issuance.
        if (!key.MatchesFingerprint(header.FingerprintText))
        {
            return Preparation.Fail(TokenFailureReason.Revoked, userId);
        }

        return new Preparation(key, userId, null);
    }

    /// <summary>Size, shape and header: the kid, or why the token is rejected. Nothing is decoded for a token that fails the first two.</summary>
    private HeaderRead ReadKid(string? token, TokenPurpose purpose)
    {
        if (string.IsNullOrEmpty(token) || token.Length > _options.MaxTokenLength || !TokenShape.TrySplit(token, out var headerLength))
        {
            return new HeaderRead(null, 0, null, TokenFailureReason.Malformed);
        }

        string? kid;
        try
        {
            // Every header we issue is byte for byte the canonical one for its kid and purpose; recognising it is cheaper
            // than reading JSON. Anything else gets the strict reader, which rejects it or says why.
            var header = token.AsSpan(0, headerLength);
            kid = TokenShape.ReadCanonicalKid(header, purpose);
            if (kid is null && TokenShape.ReadHeader(header, purpose, out kid) is { } headerFailure)
            {
                return new HeaderRead(null, 0, null, headerFailure);
            }
        }
#pragma warning disable CA1031 // The readers return false on hostile input; should one ever throw instead, the token is malformed, never a 500.
        catch (Exception)
#pragma warning restore CA1031
        {
            return new HeaderRead(null, 0, null, TokenFailureReason.Malformed);
        }

        return kid is null || !TokenShape.TryParseKid(kid, out var secretId, out var fingerprint, out var tag)
            ? new HeaderRead(null, 0, null, TokenFailureReason.Malformed)
            : new HeaderRead(token, headerLength, kid, null, secretId, fingerprint, tag);
    }

    /// <summary>The payload's claims, the lifetime and the secret id: the subject, the secret and the iat hint, or why the token is rejected.</summary>
    private TokenFailureReason? CheckCheaply(HeaderRead header, out string userId, out ServerSecret secret, out DateTimeOffset? issuedAt)
    {
        var token = header.Encoded!;
        var headerLength = header.HeaderLength;
        var kid = header.Kid!;
        (userId, secret, issuedAt) = (null!, null!, null);
        PayloadClaims claims;
        try
        {
            // sub, exp, nbf, iss and aud with a minimal reader: forged, expired and foreign tokens never pay for the full parse.
            var payload = token.AsSpan(headerLength + 1, token.Length - headerLength - 2 - TokenShape.SignatureLength);
            if (!TokenPayload.TryRead(payload, _issuerUtf8, _audienceUtf8, out claims))
            {
                return TokenFailureReason.Malformed;
            }
        }
#pragma warning disable CA1031 // The readers return false on hostile input; should one ever throw instead, the token is malformed, never a 500.
        catch (Exception)
#pragma warning restore CA1031
        {
            return TokenFailureReason.Malformed;
        }

        if (CheckLifetime(claims.ExpiresUtc, claims.NotBeforeUtc) is { } lifetimeFailure)
        {
            return lifetimeFailure;
        }

        if (_ring.Current.Find(kid.AsSpan(header.SecretId)) is not { } found)
        {
            Log.UnknownServerSecret(_logger, kid[header.SecretId]);
            return TokenFailureReason.Forged;
        }

        // iat only hints whether the token may be newer than a cached key; out of range, it is as if absent.
        issuedAt = claims.IssuedAt is > 0 and <= MaxUnixSeconds ? DateTimeOffset.FromUnixTimeSeconds(claims.IssuedAt.Value) : null;
        (userId, secret) = (claims.Subject, found);
        return null;
    }

    private static bool TagVerifies(ServerSecret secret, string userId, ReadOnlySpan<char> fingerprint, ReadOnlySpan<char> tag)
    {
        Span<byte> expected = stackalloc byte[UserKeyDerivation.TagSizeInBytes];
        try
        {
            UserKeyDerivation.Tag(secret.TagKey, userId, fingerprint, secret.Id, expected);
        }
        catch (System.Text.EncoderFallbackException)
        {
            // A subject with a lone surrogate: we never sign one.
            return false;
        }

        Span<char> expectedText = stackalloc char[UserSigningKey.TagLength];
        System.Buffers.Text.Base64Url.EncodeToChars(expected, expectedText);
        return FixedTime.Equal(expectedText, tag);
    }

    private async ValueTask<(UserKeyMaterial? Material, TokenFailureReason? Failure)> LookupAsync(string userId, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(_options.StoreTimeout, _time);
        using var link = cancellationToken.UnsafeRegister(static state => ((CancellationTokenSource)state!).Cancel(), timeout);
        UserKeyMaterial? material;
        try
        {
            // WaitAsync: a source that ignores its token still can't hold the request past the timeout. A lookup that has
            // completed already (an in-memory source, a source's own cache) needs no wait.
            var lookup = _source.FindAsync(userId, timeout.Token);
            material = lookup.IsCompleted
                ? await lookup.ConfigureAwait(false)
                : await lookup.AsTask().WaitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            _metrics.StoreLookup("timeout");
            Log.UserStoreTimedOut(_logger, userId, _options.StoreTimeout);
            return (null, TokenFailureReason.StoreUnavailable);
        }
#pragma warning disable CA1031 // Fail closed: a store that throws rejects the token.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _metrics.StoreLookup("error");
            Log.UserStoreFailed(_logger, userId, ex.GetType().FullName ?? ex.GetType().Name);
            return (null, TokenFailureReason.StoreUnavailable);
        }

        if (material is null)
        {
            _metrics.StoreLookup("not_found");
            return (null, TokenFailureReason.UnknownUser);
        }

        _metrics.StoreLookup("found");
        if (!string.Equals(material.UserId, userId, StringComparison.Ordinal))
        {
            Log.SourceReturnedOtherUser(_logger, userId);
            return (null, TokenFailureReason.UnknownUser);
        }

        return (material, null);
    }

    /// <summary>
    /// Timing side channel: a subject the store no longer knows must cost what a known subject with a bad signature costs
    /// (derive, compare the fingerprint, verify the signature), or response times would tell which users exist. The key is
    /// derived from a per-process random dummy material for the same subject, so it never verifies; the outcome is dropped.
    /// </summary>
    private async ValueTask SpendAsForKnownUserAsync(HeaderRead jwt, ServerSecret secret, string userId, TokenPurpose purpose, bool deferKid)
    {
        UserSigningKey? dummy = null;
        try
        {
            // Derived and made to claim the token's kid as a known user's fresh key is (ClaimingKid), so that the resolver
            // hands it over and IdentityModel runs the same HMAC, which fails; then its own kid is computed and compared, as
            // after a known user's failed signature (D26). The dummy is never cached or shared, and the outcome is dropped:
            // this can't authenticate anything.
            dummy = UserSigningKey.ClaimingKid(secret, new UserKeyMaterial(userId, DummyStamp, DummyPasswordHash), purpose, jwt.Kid!);

            // The parameters the last real validation of this purpose used, so the shared template is not rebuilt.
            var parameters = Volatile.Read(ref purpose == TokenPurpose.Refresh ? ref _refreshTemplate : ref _accessTemplate)?.Parameters
                ?? HardenedFor(purpose == TokenPurpose.Refresh ? _refreshParameters : _accessParameters, purpose);

            // The full parse and the SecurityToken overload, as ValidateCoreAsync does for a known user (the string overload
            // would call back into our override).
            if (ReadChecked(jwt.Encoded!, jwt.Kid!) is not { } token || !string.Equals(token.Subject, userId, StringComparison.Ordinal))
            {
                return;
            }

            _ = await ValidateUnderAsync(dummy, token, parameters).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Only spends time: whatever IdentityModel does with the dummy key, the token is rejected.
        catch (Exception)
#pragma warning restore CA1031
        {
        }

        if (dummy is not null)
        {
            // With deferKid the known user's failed signature computes fingerprint and tag; for prefetch, DeriveForVerifiedKid
            // computes the fingerprint and takes the tag from the kid.
            dummy.ComputeOwnKid(withTag: deferKid);
            _ = dummy.MatchesFingerprint(jwt.FingerprintText);
        }
    }

    /// <summary>
    /// Hardened parameters that keep only the caller's presentation settings (claim types and their retrievers, the
    /// authentication type, <see cref="TokenValidationParameters.SaveSigninToken"/>). Built once per distinct set of those
    /// settings and shared: IdentityModel does not mutate parameters while validating.
    /// </summary>
    private TokenValidationParameters HardenedFor(TokenValidationParameters caller, TokenPurpose purpose)
    {
        ref var slot = ref purpose == TokenPurpose.Refresh ? ref _refreshTemplate : ref _accessTemplate;
        var template = Volatile.Read(ref slot);
        if (template is not null && template.Matches(caller))
        {
            return template.Parameters;
        }

        var parameters = new TokenValidationParameters
        {
            NameClaimType = caller.NameClaimType,
            RoleClaimType = caller.RoleClaimType,
            NameClaimTypeRetriever = caller.NameClaimTypeRetriever,
            RoleClaimTypeRetriever = caller.RoleClaimTypeRetriever,
            SaveSigninToken = caller.SaveSigninToken,
        };
        if (!string.IsNullOrEmpty(caller.AuthenticationType))
        {
            parameters.AuthenticationType = caller.AuthenticationType;
        }

        Harden(parameters, purpose);
        Volatile.Write(ref slot, new HardenedTemplate(parameters));
        return parameters;
    }

    private void Harden(TokenValidationParameters parameters, TokenPurpose purpose)
    {
        // Whatever the caller configured, these settings are ours: no delegate may replace a check, no other key may be
        // tried, and no configuration manager may widen the accepted keys.
        parameters.IssuerSigningKeyResolver = UserKeyedSigningKeyResolver.Resolve;
        parameters.IssuerSigningKeyResolverUsingConfiguration = null;
        parameters.IssuerSigningKey = null;
        parameters.IssuerSigningKeys = null;
        parameters.TryAllIssuerSigningKeys = false;
        parameters.SignatureValidator = null;
        parameters.SignatureValidatorUsingConfiguration = null;
        parameters.IssuerSigningKeyValidator = null;
        parameters.IssuerSigningKeyValidatorUsingConfiguration = null;
        parameters.IssuerValidator = null;
        parameters.IssuerValidatorUsingConfiguration = null;
        parameters.AudienceValidator = null;
        // IdentityModel reads the wall clock; lifetimes are judged on our TimeProvider instead, here and in the cheap checks.
        parameters.LifetimeValidator = ValidateLifetime;
        parameters.AlgorithmValidator = null;
        parameters.TypeValidator = null;
        parameters.TokenReader = null;
        parameters.ConfigurationManager = null;
        parameters.ValidateWithLKG = false;
        parameters.RequireSignedTokens = true;
        parameters.RequireExpirationTime = true;
        parameters.ValidateLifetime = true;
        parameters.ValidateIssuer = true;
        parameters.ValidIssuer = _options.Issuer;
        parameters.ValidIssuers = null;
        parameters.ValidateAudience = true;
        parameters.ValidAudience = _options.Audience;
        parameters.ValidAudiences = null;
        parameters.ValidAlgorithms = OnlyHs256;
        parameters.ValidTypes = purpose == TokenPurpose.Refresh ? RefreshTypes : AccessTypes;
        parameters.ClockSkew = _options.ClockSkew;
        parameters.CryptoProviderFactory = null;
    }

    // IdentityModel's lifetime check, judged exactly as our own cheap check is.
    private bool ValidateLifetime(DateTime? notBefore, DateTime? expires, SecurityToken securityToken, TokenValidationParameters validationParameters) =>
        expires is { } exp && CheckLifetime(exp, notBefore) is null;

    private static TokenFailureReason Classify(Exception? exception) => exception switch
    {
        UserKeyedTokenValidationException known => known.Reason,
        SecurityTokenInvalidSignatureException or SecurityTokenSignatureKeyNotFoundException => TokenFailureReason.Tampered,
        SecurityTokenExpiredException => TokenFailureReason.Expired,
        SecurityTokenNotYetValidException => TokenFailureReason.NotYetValid,
        _ => TokenFailureReason.Malformed,
    };

    private TokenValidationResult Reject(TokenPurpose purpose, TokenFailureReason reason, string? userId)
    {
        _metrics.Rejected(purpose, reason);
        if (userId is null)
        {
            Log.TokenRejected(_logger, purpose, reason);
        }
        else
        {
            Log.TokenRejectedForUser(_logger, userId, purpose, reason);
        }

        return new TokenValidationResult { IsValid = false, Exception = new UserKeyedTokenValidationException(reason) };
    }

    private sealed class HardenedTemplate(TokenValidationParameters parameters)
    {
        public TokenValidationParameters Parameters { get; } = parameters;

        public bool Matches(TokenValidationParameters caller) =>
            string.Equals(caller.NameClaimType, Parameters.NameClaimType, StringComparison.Ordinal)
            && string.Equals(caller.RoleClaimType, Parameters.RoleClaimType, StringComparison.Ordinal)
            && string.Equals(caller.AuthenticationType, Parameters.AuthenticationType, StringComparison.Ordinal)
            && caller.NameClaimTypeRetriever == Parameters.NameClaimTypeRetriever
            && caller.RoleClaimTypeRetriever == Parameters.RoleClaimTypeRetriever
            && caller.SaveSigninToken == Parameters.SaveSigninToken;
    }

    /// <summary>A token whose size, shape and header passed: its text, its header's length, its kid and the kid's parts; or why it failed.</summary>
    private readonly record struct HeaderRead(string? Encoded, int HeaderLength, string? Kid, TokenFailureReason? Failure, Range SecretId = default, Range Fingerprint = default, Range Tag = default)
    {
        public ReadOnlySpan<char> FingerprintText => Kid.AsSpan(Fingerprint);

        public ReadOnlySpan<char> TagText => Kid.AsSpan(Tag);
    }

    /// <summary>The key a token should verify under, or why it is rejected; a fresh key that claims the token's kid (D26) carries the cache epoch of its lookup.</summary>
    private readonly record struct Preparation(UserSigningKey? Key, string? UserId, TokenFailureReason? Failure, long Epoch = 0, bool KidPending = false)
    {
        public static Preparation Fail(TokenFailureReason reason, string? userId = null) => new(null, userId, reason);
    }
}
