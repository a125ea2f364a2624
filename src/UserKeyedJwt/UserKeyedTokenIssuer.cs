using System.Buffers.Text;
using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using UserKeyedJwt.Internal;

namespace UserKeyedJwt;

/// <summary>
/// Issues tokens signed under the user's derived key and the active server secret. Issuing does no I/O: the caller passes
/// the user's current <see cref="UserKeyMaterial"/>, typically just read from the user store.
/// </summary>
public sealed class UserKeyedTokenIssuer
{
    private static readonly HashSet<string> ReservedClaims = new(StringComparer.Ordinal)
    {
        JwtRegisteredClaimNames.Sub, JwtRegisteredClaimNames.Jti, JwtRegisteredClaimNames.Iat, JwtRegisteredClaimNames.Nbf,
        JwtRegisteredClaimNames.Exp, JwtRegisteredClaimNames.Iss, JwtRegisteredClaimNames.Aud,
        UserKeyedSession.SessionIdClaimType, UserKeyedSession.AuthenticatedAtClaimType,
    };

    private readonly JsonWebTokenHandler _writer = new() { SetDefaultTimesOnTokenCreation = false };
    private readonly IssuingKeyCache _keys = new();
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
    /// <c>iss</c>, <c>aud</c>, and the session's <c>sid</c> and <c>auth_time</c>), so that <see cref="Issue(UserKeyMaterial, IEnumerable{Claim}, TokenPurpose, TimeSpan?)"/> refuses it from the caller.
    /// </summary>
    public static bool IsReservedClaim(string claimType) => ReservedClaims.Contains(claimType);

    /// <summary>Issues a token for <paramref name="user"/>.</summary>
    /// <param name="user">The user's current key material. A token issued from stale material is rejected as revoked.</param>
    /// <param name="claims">
    /// Further claims, such as roles. <c>sub</c>, <c>jti</c>, <c>iat</c>, <c>nbf</c>, <c>exp</c>, <c>iss</c>, <c>aud</c>,
    /// <c>sid</c> and <c>auth_time</c> are set by the issuer (the last two through <see cref="UserKeyedSessions"/>) and refused here.
    /// </param>
    /// <param name="purpose">Access (the default) or refresh.</param>
    /// <param name="lifetime">
    /// The lifetime; by default <see cref="UserKeyedJwtOptions.AccessTokenLifetime"/> or
    /// <see cref="UserKeyedJwtOptions.RefreshTokenLifetime"/>. It may not exceed that configured lifetime.
    /// </param>
    public IssuedToken Issue(UserKeyMaterial user, IEnumerable<Claim>? claims = null, TokenPurpose purpose = TokenPurpose.Access, TimeSpan? lifetime = null) =>
        Issue(user, claims, purpose, lifetime, session: null);

    /// <summary>Issues a token that carries <paramref name="session"/>'s <c>sid</c> and <c>auth_time</c>.</summary>
    internal IssuedToken Issue(UserKeyMaterial user, IEnumerable<Claim>? claims, TokenPurpose purpose, TimeSpan? lifetime, UserKeyedSession? session)
    {
        ArgumentNullException.ThrowIfNull(user);
        var maxLifetime = purpose == TokenPurpose.Refresh ? _options.RefreshTokenLifetime : _options.AccessTokenLifetime;
        var effectiveLifetime = lifetime ?? maxLifetime;
        if (effectiveLifetime <= TimeSpan.Zero || effectiveLifetime > maxLifetime)
        {
            throw Errors.LifetimeOutOfRange(effectiveLifetime, maxLifetime, nameof(lifetime));
        }

        var identity = new ClaimsIdentity();
        if (claims is not null)
        {
            foreach (var claim in claims)
            {
                if (ReservedClaims.Contains(claim.Type))
                {
                    throw Errors.ReservedClaim(claim.Type, nameof(claims));
                }

                identity.AddClaim(claim);
            }
        }

        var ring = _ring.Current;
        var secret = ring.Active;

        // Derived afresh from the material every time; only the kid and credentials of an unchanged key are reused.
        var credentials = _keys.Get(ring, secret, user, purpose);
        var tokenId = NewTokenId();

        // JWT times have whole-second precision; truncate so that IssuedAt/ExpiresAt match the token exactly.
        var now = _time.GetUtcNow();
        var issuedAt = DateTimeOffset.FromUnixTimeSeconds(now.ToUnixTimeSeconds());
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
            TokenType = TokenShape.TypeOf(purpose),
            SigningCredentials = credentials,
        };

        if (session is not null)
        {
            descriptor.Claims[UserKeyedSession.SessionIdClaimType] = session.SessionId;
            descriptor.Claims[UserKeyedSession.AuthenticatedAtClaimType] = session.AuthenticatedAt.ToUnixTimeSeconds();
        }

        var token = _writer.CreateToken(descriptor);
        _metrics.Issued(purpose);
        Log.TokenIssued(_logger, purpose, user.UserId, secret.Id, expiresAt);
        return new IssuedToken(token, tokenId, user.UserId, purpose, issuedAt, expiresAt);
    }

    private static string NewTokenId()
    {
        Span<byte> bytes = stackalloc byte[16];
        RandomNumberGenerator.Fill(bytes);
        return Base64Url.EncodeToString(bytes);
    }
}
