using Microsoft.IdentityModel.Tokens;

namespace UserKeyedJwt;

/// <summary>
/// Carries the <see cref="TokenFailureReason"/> of a rejected token in <see cref="TokenValidationResult.Exception"/>, where
/// JwtBearer hands it to <c>OnAuthenticationFailed</c>. It is created, never thrown, and its message holds only the reason.
/// </summary>
public sealed class UserKeyedTokenValidationException : SecurityTokenValidationException
{
    /// <summary>Creates the exception for <paramref name="reason"/>.</summary>
    public UserKeyedTokenValidationException(TokenFailureReason reason)
        : base($"The token was rejected: {reason}.")
    {
        Reason = reason;
    }

    /// <summary>Why the token was rejected.</summary>
    public TokenFailureReason Reason { get; }
}
