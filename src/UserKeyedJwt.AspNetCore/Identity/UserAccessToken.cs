using System.Diagnostics;
using System.Security.Claims;

namespace UserKeyedJwt.AspNetCore;

/// <summary>An access token just issued for a user, with what a token endpoint returns. <see cref="ToString"/> never shows the token.</summary>
[DebuggerDisplay("UserAccessToken(UserId = {UserId}, TokenId = {TokenId})")]
public sealed class UserAccessToken
{
    private readonly IssuedToken _issued;

    internal UserAccessToken(IssuedToken issued, IReadOnlyList<Claim> claims)
    {
        _issued = issued;
        Claims = claims;
    }

    /// <summary>The compact JWS. A bearer credential: never log it.</summary>
    public string AccessToken => _issued.Token;

    /// <summary>Always <c>Bearer</c>, for a <c>token_type</c> field.</summary>
    public string TokenType => "Bearer";

    /// <summary>When the token expires.</summary>
    public DateTimeOffset ExpiresAt => _issued.ExpiresAt;

    /// <summary>The lifetime from issuance to expiry, for an <c>expires_in</c> field.</summary>
    public TimeSpan ExpiresIn => _issued.Lifetime;

    /// <summary>The claims the token carries besides the registered ones (<c>sub</c>, <c>jti</c>, times, issuer, audience): name and roles, for example.</summary>
    public IReadOnlyList<Claim> Claims { get; }

    /// <summary>The token's subject: the user id.</summary>
    public string UserId => _issued.UserId;

    /// <summary>The token's <c>jti</c>.</summary>
    public string TokenId => _issued.TokenId;

    /// <inheritdoc />
    public override string ToString() => $"UserAccessToken(UserId = {UserId}, TokenId = {TokenId})";
}
