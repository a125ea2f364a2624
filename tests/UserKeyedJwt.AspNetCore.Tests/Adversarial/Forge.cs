using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace UserKeyedJwt.AspNetCore.Tests.Adversarial;

/// <summary>Builds the tokens an attacker would send: from a real token's parts, re-encoded, re-signed, or cut up.</summary>
internal static class Forge
{
    public static string B64(string text) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(text));

    public static string Json(string segment) => Encoding.UTF8.GetString(Base64Url.DecodeFromChars(segment));

    public static string[] Parts(string token) => token.Split('.');

    public static JsonObject Header(string token) => JsonNode.Parse(Json(Parts(token)[0]))!.AsObject();

    public static JsonObject Payload(string token) => JsonNode.Parse(Json(Parts(token)[1]))!.AsObject();

    /// <summary>HS256 over the exact header and payload text: a signature that is right for whatever the JSON says.</summary>
    public static string Sign(string headerJson, string payloadJson, byte[] key)
    {
        var input = B64(headerJson) + "." + B64(payloadJson);
        return input + "." + Base64Url.EncodeToString(HMACSHA256.HashData(key, Encoding.ASCII.GetBytes(input)));
    }

    // As the issuer writes JSON ('+' of "at+jwt" unescaped), so that an unchanged header is byte for byte the issuer's.
    public static readonly System.Text.Json.JsonSerializerOptions AsIssued = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Sign(JsonObject header, JsonObject payload, byte[] key) => Sign(header.ToJsonString(AsIssued), payload.ToJsonString(AsIssued), key);

    /// <summary>Keeps the original signature: what an attacker without any key can do.</summary>
    public static string Unsigned(string headerJson, string payloadJson, string original) => $"{B64(headerJson)}.{B64(payloadJson)}.{Parts(original)[2]}";

    public static JsonObject With(JsonObject node, string name, JsonNode? value)
    {
        var copy = node.DeepClone().AsObject();
        copy[name] = value;
        return copy;
    }

    public static JsonObject Without(JsonObject node, string name)
    {
        var copy = node.DeepClone().AsObject();
        copy.Remove(name);
        return copy;
    }

    public static string Nested(int depth) => new string('[', depth) + new string(']', depth);
}
