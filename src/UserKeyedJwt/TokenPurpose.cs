using System.Text.Json.Serialization;

namespace UserKeyedJwt;

/// <summary>
/// What a token is for. Each purpose has its own key derivation and its own <c>typ</c> header,
/// so a token of one purpose never validates as the other.
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<TokenPurpose>))]
public enum TokenPurpose
{
    /// <summary>An access token, sent as a bearer token on API requests. <c>typ</c> is <c>at+jwt</c>.</summary>
    Access = 0,

    /// <summary>A refresh token, exchanged for a new token pair. <c>typ</c> is <c>rt+jwt</c>.</summary>
    Refresh = 1,
}
