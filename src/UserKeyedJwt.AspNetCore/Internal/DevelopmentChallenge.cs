namespace UserKeyedJwt.AspNetCore.Internal;

/// <summary>
/// The <c>error_description</c> of a rejected token's challenge in the Development environment: one fixed text per
/// <see cref="TokenFailureReason"/>, so a developer sees why at the point of failure. Fixed texts never carry a token, key,
/// secret, hash or stamp; outside Development the challenge has no description at all.
/// </summary>
internal static class DevelopmentChallenge
{
    public static string? Describe(TokenFailureReason? reason) => reason switch
    {
        TokenFailureReason.Malformed => "malformed: not a token this server issues (its shape, header, issuer or audience)",
        TokenFailureReason.WrongPurpose => "wrong purpose: a refresh token presented as an access token",
        TokenFailureReason.Expired => "expired: the token's exp is in the past",
        TokenFailureReason.NotYetValid => "not yet valid: the token's nbf is in the future",
        TokenFailureReason.UnknownServerSecret => "unknown server secret: the kid names a secret that is not in the ring",
        TokenFailureReason.InvalidKidTag => "forged: the kid's tag does not verify for this subject",
        TokenFailureReason.UnknownUser => "unknown user: the subject no longer exists in the user store",
        TokenFailureReason.SessionEnded => "session ended: the token's session was logged out or ended",
        TokenFailureReason.KeyInputsChanged => "revoked: the user's key inputs changed since issuance",
        TokenFailureReason.InvalidSignature => "tampered: the signature does not verify under the user's current key",
        TokenFailureReason.StoreUnavailable => "store unavailable: a user, session or denylist store failed or timed out",
        TokenFailureReason.TokenRevoked => "token revoked: this token was revoked on its own",
        _ => null,
    };

    /// <summary>The reason carried by a JwtBearer authentication failure, when UserKeyedTokenHandler produced it.</summary>
    public static TokenFailureReason? ReasonOf(Exception? failure) => failure switch
    {
        UserKeyedTokenValidationException keyed => keyed.Reason,
        AggregateException aggregate => aggregate.InnerExceptions.Select(static e => ReasonOf(e)).FirstOrDefault(static r => r is not null),
        _ => null,
    };
}
