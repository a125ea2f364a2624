using Microsoft.AspNetCore.Http;

namespace UserKeyedJwt.AspNetCore;

/// <summary>
/// How the UserKeyedJwt bearer schemes answer. The JwtBearer settings themselves live in <c>JwtBearerOptions</c>, which
/// <c>AddUserKeyedJwtBearer</c> hardens. Validated at startup.
/// </summary>
public sealed class UserKeyedJwtBearerOptions
{
    /// <summary>The configuration section conventionally bound to these options.</summary>
    public const string SectionName = "UserKeyedJwtBearer";

    /// <summary>
    /// The status code of a challenge when the token could not be checked because the user store failed or timed out
    /// (<see cref="TokenFailureReason.StoreUnavailable"/>). The request is never authenticated either way.
    /// </summary>
    /// <value>
    /// 401 (<see cref="StatusCodes.Status401Unauthorized"/>), the same uniform answer as any other rejected token. 503
    /// (<see cref="StatusCodes.Status503ServiceUnavailable"/>) tells clients to retry instead of logging the user out. No other
    /// value is allowed.
    /// </value>
    public int StoreUnavailableStatusCode { get; set; } = StatusCodes.Status401Unauthorized;
}
