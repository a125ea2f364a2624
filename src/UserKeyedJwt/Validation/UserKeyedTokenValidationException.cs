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
        : base(MessageFor(reason))
    {
        Reason = reason;
    }

    /// <summary>Why the token was rejected.</summary>
    public TokenFailureReason Reason { get; }

    // Rejections are on the cheap path, which forged tokens take: each reason's message is built once, not per token.
    private static readonly string?[] Messages = BuildMessages();

    private static string?[] BuildMessages()
    {
        var reasons = Enum.GetValues<TokenFailureReason>();
        var messages = new string?[(int)reasons.Max() + 1];
        foreach (var reason in reasons)
        {
            messages[(int)reason] = $"The token was rejected: {reason}.";
        }

        return messages;
    }

    private static string MessageFor(TokenFailureReason reason) =>
        (uint)reason < (uint)Messages.Length && Messages[(int)reason] is { } message ? message : $"The token was rejected: {reason}.";
}
