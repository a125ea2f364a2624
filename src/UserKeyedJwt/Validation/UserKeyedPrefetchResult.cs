using Microsoft.IdentityModel.Tokens;

namespace UserKeyedJwt;

/// <summary>The outcome of <see cref="UserKeyedTokenHandler.PrefetchAsync"/>.</summary>
public sealed class UserKeyedPrefetchResult
{
    private UserKeyedPrefetchResult(TokenValidationParameters? validationParameters, TokenFailureReason? failureReason)
    {
        ValidationParameters = validationParameters;
        FailureReason = failureReason;
    }

    /// <summary>Whether the token passed the checks that precede the signature, and its key was placed.</summary>
    public bool Succeeded => FailureReason is null;

    /// <summary>
    /// Hardened parameters carrying the user key for <see cref="UserKeyedSigningKeyResolver"/>; pass them to the handler that
    /// validates the signature. <see langword="null"/> when the token was rejected already.
    /// </summary>
    public TokenValidationParameters? ValidationParameters { get; }

    /// <summary>Why the token was rejected; <see langword="null"/> on success.</summary>
    public TokenFailureReason? FailureReason { get; }

    internal static UserKeyedPrefetchResult Success(TokenValidationParameters parameters) => new(parameters, null);

    internal static UserKeyedPrefetchResult Failure(TokenFailureReason reason) => new(null, reason);
}
