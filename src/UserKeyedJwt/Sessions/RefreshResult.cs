namespace UserKeyedJwt;

/// <summary>The outcome of <see cref="UserKeyedSessions.RefreshAsync"/>: the session's next pair, or why there is none.</summary>
public sealed class RefreshResult
{
    private RefreshResult(SessionTokens? tokens, TokenFailureReason? failureReason, bool reuseDetected)
    {
        Tokens = tokens;
        FailureReason = failureReason;
        ReuseDetected = reuseDetected;
    }

    /// <summary>Whether the refresh token was redeemed and <see cref="Tokens"/> holds the next pair.</summary>
    public bool Succeeded => Tokens is not null;

    /// <summary>The session's next pair, when the refresh succeeded.</summary>
    public SessionTokens? Tokens { get; }

    /// <summary>Why the refresh token was refused; <see langword="null"/> when it succeeded or was reused.</summary>
    public TokenFailureReason? FailureReason { get; }

    /// <summary>
    /// Whether the refresh token was of an older generation than its session's, outside the grace window: one of two holders
    /// has a stolen token, so the session was ended.
    /// </summary>
    public bool ReuseDetected { get; }

    internal static RefreshResult Refreshed(SessionTokens tokens) => new(tokens, null, false);

    internal static RefreshResult Refused(TokenFailureReason reason) => new(null, reason, false);

    internal static RefreshResult Reused() => new(null, null, true);
}
