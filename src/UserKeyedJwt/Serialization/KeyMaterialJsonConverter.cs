using System.Text.Json;
using System.Text.Json.Serialization;

namespace UserKeyedJwt.Serialization;

/// <summary>
/// Refuses to write or read a type that carries key material (a server secret, a session's secret, a password hash or a
/// stamp): returned from an endpoint or logged as JSON, it would hand out what the user's keys derive from.
/// </summary>
internal sealed class KeyMaterialJsonConverter<T> : JsonConverter<T>
{
    public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        throw Errors.KeyMaterialNotSerializable(typeof(T));

    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) =>
        throw Errors.KeyMaterialNotSerializable(typeof(T));
}
