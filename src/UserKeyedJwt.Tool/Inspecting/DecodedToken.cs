using System.Buffers.Text;
using System.Text.Json;

namespace UserKeyedJwt.Tool.Inspecting;

/// <summary>
/// A token's header and claims, decoded without verifying anything, and its <c>kid</c> split into the parts that
/// docs/key-derivation.md defines. The signature is never kept: with the token's text it is as good as the token.
/// </summary>
internal sealed class DecodedToken
{
    private const int MaxLength = 1024 * 1024;

    private DecodedToken(JsonElement header, JsonElement payload, KidParts? kid, int signatureLength)
    {
        Header = header;
        Payload = payload;
        Kid = kid;
        SignatureLength = signatureLength;
    }

    public JsonElement Header { get; }

    public JsonElement Payload { get; }

    public KidParts? Kid { get; }

    public int SignatureLength { get; }

    public string? Type => String(Header, "typ");

    public string? Subject => String(Payload, "sub");

    public string? SessionId => String(Payload, "sid");

    /// <summary>What the header's <c>typ</c> says the token is for, or <see langword="null"/> for a type the library never writes.</summary>
    public TokenPurpose? Purpose => Type switch
    {
        "at+jwt" => TokenPurpose.Access,
        "rt+jwt" => TokenPurpose.Refresh,
        _ => null,
    };

    public DateTimeOffset? Time(string claim) =>
        Payload.TryGetProperty(claim, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var seconds)
        && seconds is >= -62_135_596_800 and <= 253_402_300_799
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : null;

    /// <summary>Decodes <paramref name="token"/>, or says in one line why it is not a JWS.</summary>
    public static bool TryDecode(string? token, out DecodedToken? decoded, out string problem)
    {
        decoded = null;
        token = token?.Trim();
        if (string.IsNullOrEmpty(token))
        {
            problem = "the token is empty";
            return false;
        }

        if (token.Length > MaxLength)
        {
            problem = $"the token is {token.Length} characters long, far beyond any token the library issues";
            return false;
        }

        var segments = token.Split('.');
        if (segments.Length != 3)
        {
            problem = $"a compact JWS has 3 segments separated by '.', this has {segments.Length}";
            return false;
        }

        if (!TryJson(segments[0], "header", out var header, out problem) || !TryJson(segments[1], "payload", out var payload, out problem))
        {
            return false;
        }

        if (!IsBase64Url(segments[2]))
        {
            problem = "the signature is not base64url";
            return false;
        }

        decoded = new DecodedToken(header, payload, String(header, "kid") is { } kid ? KidParts.Parse(kid) : null, segments[2].Length);
        problem = "";
        return true;
    }

    public static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static bool TryJson(string segment, string what, out JsonElement element, out string problem)
    {
        element = default;
        if (!IsBase64Url(segment))
        {
            problem = $"the {what} is not base64url";
            return false;
        }

        try
        {
            using var document = JsonDocument.Parse(Base64Url.DecodeFromChars(segment));
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                problem = $"the {what} is JSON but not an object";
                return false;
            }

            element = document.RootElement.Clone();
            problem = "";
            return true;
        }
        catch (JsonException)
        {
            problem = $"the {what} is not JSON";
            return false;
        }
    }

    private static bool IsBase64Url(string segment) => segment.Length > 0 && Base64Url.IsValid(segment);
}
