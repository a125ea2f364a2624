using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace UserKeyedJwt.Tests.Support;

/// <summary>Builds hostile and hand-made tokens.</summary>
public static class Tokens
{
    // As the issuer writes JSON: '+' in "at+jwt" unescaped, so that a header built here can be byte for byte the issuer's.
    private static readonly JsonSerializerOptions AsIssued = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Encode(object value) => Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(value, AsIssued));

    public static string Encode(string json) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json));

    public static Dictionary<string, object> Payload(CoreFixture f, string subject, TimeSpan? lifetime = null)
    {
        var now = f.Time.GetUtcNow().ToUnixTimeSeconds();
        return new Dictionary<string, object>
        {
            ["sub"] = subject,
            ["jti"] = Guid.NewGuid().ToString("N"),
            ["iat"] = now,
            ["nbf"] = now,
            ["exp"] = now + (long)(lifetime ?? TimeSpan.FromMinutes(5)).TotalSeconds,
            ["iss"] = "https://issuer.test",
            ["aud"] = "api.test",
        };
    }

    public static string Sign(object header, object payload, byte[] key)
    {
        var input = Encode(header) + "." + Encode(payload);
        return input + "." + Base64Url.EncodeToString(HMACSHA256.HashData(key, Encoding.ASCII.GetBytes(input)));
    }

    /// <summary>Re-encodes the payload with one claim set to any JSON value (a string, a number, null, an object...), keeping header and signature.</summary>
    public static string WithPayloadClaim(string token, string claim, JsonNode? value)
    {
        var parts = token.Split('.');
        var payload = JsonNode.Parse(Base64Url.DecodeFromChars(parts[1]))!.AsObject();
        payload[claim] = value;
        return $"{parts[0]}.{Encode(payload.ToJsonString())}.{parts[2]}";
    }

    /// <summary>Re-encodes the header with its kid changed by <paramref name="change"/>, keeping payload and signature.</summary>
    public static string WithKid(string token, Func<string, string> change)
    {
        var parts = token.Split('.');
        var header = JsonNode.Parse(Base64Url.DecodeFromChars(parts[0]))!.AsObject();
        header["kid"] = change((string)header["kid"]!);
        return $"{Encode(header.ToJsonString(AsIssued))}.{parts[1]}.{parts[2]}";
    }

    /// <summary>
    /// The token with the first character of its kid's tag flipped: all six bits of that character count, so the kid stays
    /// canonical and only the tag is wrong.
    /// </summary>
    public static string WithForgedTag(string token) => WithKid(token, kid =>
    {
        var at = kid.LastIndexOf('.') + 1;
        return kid[..at] + (kid[at] == 'A' ? 'B' : 'A') + kid[(at + 1)..];
    });

    /// <summary>The decoded JSON of a token's header (0) or payload (1), as text.</summary>
    public static string Json(string token, int segment) => Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token.Split('.')[segment]));

    /// <summary>HS256 over exactly this header and payload text: the signature is right for whatever the JSON says.</summary>
    public static string SignRaw(string headerJson, string payloadJson, byte[] key)
    {
        var input = Encode(headerJson) + "." + Encode(payloadJson);
        return input + "." + Base64Url.EncodeToString(HMACSHA256.HashData(key, Encoding.ASCII.GetBytes(input)));
    }

    /// <summary>The token with its header and payload text edited and signed again under <paramref name="key"/>.</summary>
    public static string Resign(string token, byte[] key, Func<string, string>? header = null, Func<string, string>? payload = null) =>
        SignRaw((header ?? (h => h))(Json(token, 0)), (payload ?? (p => p))(Json(token, 1)), key);

    public static string Graft(string header, string payload, string signature) =>
        $"{header.Split('.')[0]}.{payload.Split('.')[1]}.{signature.Split('.')[2]}";
}
