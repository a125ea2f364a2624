using System.Buffers.Text;
using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace UserKeyedJwt;

/// <summary>
/// Issues tokens signed under the user's derived key and the active server secret. Issuing does no I/O: the caller passes the
/// user's current <see cref="UserKeyInputs"/>, typically just read from the user store.
/// </summary>
public sealed class UserKeyedTokenIssuer
{
    private static readonly HashSet<string> ReservedClaims = new(StringComparer.Ordinal)
    {
        JwtRegisteredClaimNames.Sub, JwtRegisteredClaimNames.Jti, JwtRegisteredClaimNames.Iat, JwtRegisteredClaimNames.Nbf,
        JwtRegisteredClaimNames.Exp, JwtRegisteredClaimNames.Iss, JwtRegisteredClaimNames.Aud,
        UserKeyedSession.SessionIdClaimType, UserKeyedSession.AuthenticatedAtClaimType, UserKeyedSession.GenerationClaimType,
    };

    private readonly JsonWebTokenHandler _writer = new() { SetDefaultTimesOnTokenCreation = false };
    private readonly UserKeyedJwtOptions _options;
    private readonly ServerSecretRingProvider _ring;
    private readonly TimeProvider _time;
    private readonly UserKeyedJwtMetrics _metrics;
    private readonly ILogger _logger;

    internal UserKeyedTokenIssuer(IOptions<UserKeyedJwtOptions> options, ServerSecretRingProvider ring, TimeProvider time, UserKeyedJwtMetrics metrics, ILogger<UserKeyedTokenIssuer> logger)
    {
        _options = options.Value;
        _ring = ring;
        _time = time;
        _metrics = metrics;
        _logger = logger;
    }

    /// <summary>
    /// Whether the issuer sets <paramref name="claimType"/> itself (<c>sub</c>, <c>jti</c>, <c>iat</c>, <c>nbf</c>, <c>exp</c>,
    /// <c>iss</c>, <c>aud</c>, and the session's <c>sid</c>, <c>auth_time</c> and <c>gen</c>), so that <c>Issue</c> refuses it from the caller.
    /// </summary>
    public static bool IsReservedClaim(string claimType) => ReservedClaims.Contains(claimType);

    /// <summary>Issues a token for <paramref name="user"/>.</summary>
    /// <param name="user">The user's current key inputs. A token issued from stale inputs is rejected as <see cref="TokenFailureReason.KeyInputsChanged"/>.</param>
    /// <param name="claims">Further claims, such as roles. The claims <see cref="IsReservedClaim"/> names are refused.</param>
    /// <param name="purpose">Access (the default) or refresh.</param>
    /// <param name="lifetime">
    /// The lifetime; by default <see cref="UserKeyedJwtOptions.AccessTokenLifetime"/> or
    /// <see cref="UserKeyedJwtOptions.RefreshTokenLifetime"/>, which it may not exceed.
    /// </param>
    public IssuedToken Issue(UserKeyInputs user, IEnumerable<Claim>? claims = null, TokenPurpose purpose = TokenPurpose.Access, TimeSpan? lifetime = null) =>
        Issue(user, claims, purpose, lifetime, session: null);

    /// <summary>
    /// Issues a token of <paramref name="session"/>, if given: signed under the session's key, carrying its <c>sid</c> and
    /// <c>auth_time</c>, and a refresh token also its generation.
    /// </summary>
    internal IssuedToken Issue(UserKeyInputs user, IEnumerable<Claim>? claims, TokenPurpose purpose, TimeSpan? lifetime, UserKeyedSession? session)
    {
        ArgumentNullException.ThrowIfNull(user);
        var maxLifetime = purpose == TokenPurpose.Refresh ? _options.RefreshTokenLifetime : _options.AccessTokenLifetime;
        var effectiveLifetime = lifetime ?? maxLifetime;
        if (effectiveLifetime <= TimeSpan.Zero || effectiveLifetime > maxLifetime)
        {
            throw Errors.LifetimeOutOfRange(effectiveLifetime, maxLifetime, nameof(lifetime));
        }

        var identity = new ClaimsIdentity();
        foreach (var claim in claims ?? [])
        {
            if (ReservedClaims.Contains(claim.Type))
            {
                throw Errors.ReservedClaim(claim.Type, nameof(claims));
            }

            identity.AddClaim(claim);
        }

        var secret = _ring.Current.Active;
        var key = UserKey.Derive(secret, user, purpose, session, _time.GetTimestamp());
        var tokenId = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16));

        // Whole seconds, as in the token, so that IssuedAt and ExpiresAt match it exactly.
        var issuedAt = DateTimeOffset.FromUnixTimeSeconds(_time.GetUtcNow().ToUnixTimeSeconds());
        var expiresAt = issuedAt + effectiveLifetime;
        var descriptor = new SecurityTokenDescriptor
        {
            Subject = identity,
            Claims = new Dictionary<string, object>(StringComparer.Ordinal)
            {
                [JwtRegisteredClaimNames.Sub] = user.UserId,
                [JwtRegisteredClaimNames.Jti] = tokenId,
            },
            Issuer = _options.Issuer,
            Audience = _options.Audience,
            IssuedAt = issuedAt.UtcDateTime,
            NotBefore = issuedAt.UtcDateTime,
            Expires = expiresAt.UtcDateTime,
            TokenType = TokenStrictness.TypeOf(purpose),
            SigningCredentials = new SigningCredentials(key.ToSecurityKey(), SecurityAlgorithms.HmacSha256),
        };

        if (session is not null)
        {
            descriptor.Claims[UserKeyedSession.SessionIdClaimType] = session.Id;
            descriptor.Claims[UserKeyedSession.AuthenticatedAtClaimType] = session.CreatedAt.ToUnixTimeSeconds();
            if (purpose == TokenPurpose.Refresh)
            {
                descriptor.Claims[UserKeyedSession.GenerationClaimType] = session.Generation;
            }
        }

        var token = _writer.CreateToken(descriptor);
        _metrics.Issued(purpose);
        Log.TokenIssued(_logger, purpose, user.UserId, secret.Id, expiresAt);
        return new IssuedToken(token, tokenId, user.UserId, purpose, issuedAt, expiresAt);
    }
}
