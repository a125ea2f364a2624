using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;

namespace UserKeyedJwt;

/// <summary>The outcome of <see cref="UserKeyedTokenHandler.ValidateAsync"/>: a validated identity, or the reason for rejection.</summary>
public sealed class UserKeyedValidationResult
{
    private UserKeyedValidationResult(ClaimsIdentity? identity, JsonWebToken? token, TokenFailureReason? failureReason)
    {
        Identity = identity;
        Token = token;
        FailureReason = failureReason;
    }

    /// <summary>Whether the token is valid.</summary>
    public bool IsValid => FailureReason is null;

    /// <summary>Why the token was rejected; <see langword="null"/> when it is valid.</summary>
    public TokenFailureReason? FailureReason { get; }

    /// <summary>The identity built from the token's claims, when valid.</summary>
    public ClaimsIdentity? Identity { get; }

    /// <summary>The parsed token, when valid.</summary>
    public JsonWebToken? Token { get; }

    /// <summary>The token's subject, when valid.</summary>
    public string? UserId => Token?.Subject;

    internal static UserKeyedValidationResult Success(ClaimsIdentity identity, JsonWebToken token) => new(identity, token, null);

    internal static UserKeyedValidationResult Failure(TokenFailureReason reason) => new(null, null, reason);
}
