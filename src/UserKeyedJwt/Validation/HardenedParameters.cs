using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace UserKeyedJwt;

/// <summary>
/// The validation parameters IdentityModel checks UserKeyedJwt tokens with, and the claim and lifetime rules they share with the
/// handler. Whatever the caller configured, the security settings are these: no delegate may replace a check, no other key
/// may be tried, and no configuration manager may widen the accepted keys. Only the caller's presentation settings (claim
/// types and their retrievers, the authentication type, <c>SaveSigninToken</c>) survive.
/// </summary>
internal sealed class HardenedParameters(UserKeyedJwtOptions options, TimeProvider time)
{
    private static readonly string[] OnlyHs256 = [SecurityAlgorithms.HmacSha256];
    private static readonly string[] AccessTypes = [TokenStrictness.AccessType];
    private static readonly string[] RefreshTypes = [TokenStrictness.RefreshType];

    public TokenValidationParameters Create(TokenPurpose purpose)
    {
        var parameters = new TokenValidationParameters();
        Apply(parameters, purpose);
        return parameters;
    }

    /// <summary>A copy per validation: it carries this token's key to the resolver, and nothing outlives the validation.</summary>
    public TokenValidationParameters WithKey(TokenValidationParameters caller, TokenPurpose purpose, UserKey key)
    {
        var parameters = caller.Clone();
        Apply(parameters, purpose);
        UserKeyedSigningKeyResolver.Place(parameters, key);
        return parameters;
    }

    /// <summary>Expired or not yet valid, on <see cref="TimeProvider"/> with the configured clock skew; or <see langword="null"/>.</summary>
    /// <summary>Step 4: subject, token id, session id, lifetime, issuer and audience; null when they hold.</summary>
    public TokenFailureReason? CheckClaims(JsonWebToken jwt, out string? sessionId)
    {
        // Every token the issuer writes has a subject, an id and an expiry; a session's tokens carry its id as a string.
        sessionId = jwt.TryGetPayloadValue<string>(UserKeyedSession.SessionIdClaimType, out var sid) ? sid : null;
        if (jwt.Subject is not { Length: > 0 and <= UserKeyInputs.MaxUserIdLength } || string.IsNullOrEmpty(jwt.Id) || jwt.ValidTo == DateTime.MinValue
            || (sessionId is null ? jwt.TryGetClaim(UserKeyedSession.SessionIdClaimType, out _) : sessionId.Length is 0 or > 64))
        {
            return TokenFailureReason.Malformed;
        }

        if (CheckLifetime(jwt.ValidTo, jwt.ValidFrom) is { } lifetime)
        {
            return lifetime;
        }

        return string.Equals(jwt.Issuer, options.Issuer, StringComparison.Ordinal) && jwt.Audiences.Contains(options.Audience, StringComparer.Ordinal)
            ? null
            : TokenFailureReason.Malformed;
    }

    public TokenFailureReason? CheckLifetime(DateTime expires, DateTime? notBefore)
    {
        // As now - skew and now + skew, so that an exp near DateTime.MaxValue cannot overflow.
        var now = time.GetUtcNow().UtcDateTime;
        if (now - options.ClockSkew > expires)
        {
            return TokenFailureReason.Expired;
        }

        return notBefore > now + options.ClockSkew ? TokenFailureReason.NotYetValid : null;
    }

    private bool ValidateLifetime(DateTime? notBefore, DateTime? expires, SecurityToken securityToken, TokenValidationParameters validationParameters) =>
        expires is { } exp && CheckLifetime(exp, notBefore) is null;

    private void Apply(TokenValidationParameters parameters, TokenPurpose purpose)
    {
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

        // IdentityModel would read the wall clock; the lifetime is judged on TimeProvider, as in the handler's own check.
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
        parameters.ValidIssuer = options.Issuer;
        parameters.ValidIssuers = null;
        parameters.ValidateAudience = true;
        parameters.ValidAudience = options.Audience;
        parameters.ValidAudiences = null;
        parameters.ValidAlgorithms = OnlyHs256;
        parameters.ValidTypes = purpose == TokenPurpose.Refresh ? RefreshTypes : AccessTypes;
        parameters.ClockSkew = options.ClockSkew;
        parameters.CryptoProviderFactory = null;
    }
}
