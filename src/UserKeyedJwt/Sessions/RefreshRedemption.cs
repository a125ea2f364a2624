namespace UserKeyedJwt;

/// <summary>The outcome of <see cref="UserKeyedSessions.RedeemAsync"/>.</summary>
public sealed class RefreshRedemption
{
    private RefreshRedemption(RefreshRedemptionStatus status, UserKeyedSession? session, TokenFailureReason? failureReason)
    {
        Status = status;
        Session = session;
        FailureReason = failureReason;
    }

    /// <summary>Redeemed, rejected or reused.</summary>
    public RefreshRedemptionStatus Status { get; }

    /// <summary>The token's session, when it was redeemed or reused; <see langword="null"/> when rejected.</summary>
    public UserKeyedSession? Session { get; }

    /// <summary>Why the token was rejected; <see langword="null"/> otherwise.</summary>
    public TokenFailureReason? FailureReason { get; }

    internal static RefreshRedemption Redeemed(UserKeyedSession session) => new(RefreshRedemptionStatus.Redeemed, session, null);

    internal static RefreshRedemption Reused(UserKeyedSession session) => new(RefreshRedemptionStatus.Reused, session, null);

    internal static RefreshRedemption Rejected(TokenFailureReason reason) => new(RefreshRedemptionStatus.Rejected, null, reason);
}
