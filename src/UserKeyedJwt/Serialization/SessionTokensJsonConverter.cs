using System.Text.Json;
using System.Text.Json.Serialization;

namespace UserKeyedJwt.Serialization;

/// <summary>
/// Writes a <see cref="SessionTokens"/> as the token endpoint's answer, the JSON of ASP.NET Core Identity's
/// <c>AccessTokenResponse</c>: <c>{"tokenType":"Bearer","accessToken","expiresIn","refreshToken"}</c> with ASP.NET Core's
/// web options. The session, which holds the session's secret, is never written.
/// </summary>
internal sealed class SessionTokensJsonConverter : JsonConverter<SessionTokens>
{
    public override SessionTokens Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        throw Errors.NotDeserializable(typeof(SessionTokens));

    public override void Write(Utf8JsonWriter writer, SessionTokens value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);

        // AccessTokenResponse's members in its order, named by the caller's policy as it would name them (camelCase on the web).
        writer.WriteStartObject();
        writer.WriteString(Name("TokenType", options), "Bearer");
        writer.WriteString(Name("AccessToken", options), value.AccessToken.Token);
        writer.WriteNumber(Name("ExpiresIn", options), (long)value.AccessToken.Lifetime.TotalSeconds);
        writer.WriteString(Name("RefreshToken", options), value.RefreshToken.Token);
        writer.WriteEndObject();
    }

    private static string Name(string member, JsonSerializerOptions options) => options.PropertyNamingPolicy?.ConvertName(member) ?? member;
}
