using System.Diagnostics;

namespace UserKeyedJwt;

/// <summary>A token just issued, with the facts a token endpoint returns. <see cref="ToString"/> never shows the token.</summary>
[DebuggerDisplay("IssuedToken(Purpose = {Purpose}, UserId = {UserId}, TokenId = {TokenId})")]
public sealed class IssuedToken
{
    internal IssuedToken(string token, string tokenId, string userId, TokenPurpose purpose, DateTimeOffset issuedAt, DateTimeOffset expiresAt)
    {
        Token = token;
        TokenId = tokenId;
        UserId = userId;
        Purpose = purpose;
        IssuedAt = issuedAt;
        ExpiresAt = expiresAt;
    }

    /// <summary>The compact JWS. A bearer credential: never log it.</summary>
    public string Token { get; }

    /// <summary>The token's <c>jti</c>.</summary>
    public string TokenId { get; }

    /// <summary>The token's <c>sub</c>.</summary>
    public string UserId { get; }

    /// <summary>Access or refresh.</summary>
    public TokenPurpose Purpose { get; }

    /// <summary>The token's <c>iat</c> (and <c>nbf</c>).</summary>
    public DateTimeOffset IssuedAt { get; }

    /// <summary>The token's <c>exp</c>.</summary>
    public DateTimeOffset ExpiresAt { get; }

    /// <summary>The lifetime from issuance to expiry, for an <c>expires_in</c> field (whole seconds).</summary>
    public TimeSpan Lifetime => ExpiresAt - IssuedAt;

    /// <inheritdoc />
    public override string ToString() => $"IssuedToken(Purpose = {Purpose}, UserId = {UserId}, TokenId = {TokenId})";
}
