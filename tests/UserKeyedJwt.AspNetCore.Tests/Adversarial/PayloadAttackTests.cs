using System.Globalization;
using System.Text.Json.Nodes;

namespace UserKeyedJwt.AspNetCore.Tests.Adversarial;

/// <summary>
/// Hostile payloads and encodings against the real pipeline. "Re-signed" cases carry a signature made with Alice's real
/// key, so only the claim itself can make them fail; "kept signature" cases are what an attacker without any key sends.
/// </summary>
public sealed class PayloadAttackTests(AdversarialFixture f) : IClassFixture<AdversarialFixture>
{
    private static long Now => DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    /// <summary>Name → (token, whether the cheap checks must stop it before the store).</summary>
    private static readonly Dictionary<string, Func<AdversarialFixture, (string Token, bool NoRead)>> Cases = new(StringComparer.Ordinal)
    {
        // sub
        ["sub swapped to Bob, kept signature"] = f => (Kept(f, With(f, "sub", f.Bob.Id)), true),
        ["sub swapped to Bob, re-signed with Alice's key"] = f => (Signed(f, With(f, "sub", f.Bob.Id)), true),
        // Bob's genuine kid and subject: the server did sign this subject, so one read is allowed, then the signature fails.
        ["sub swapped to Bob on Bob's header, re-signed with Alice's key"] = f => (Forge.Sign(Forge.Header(f.BobToken), With(f, "sub", f.Bob.Id), f.AliceKey), false),
        ["sub missing"] = f => (Signed(f, Forge.Without(Payload(f), "sub")), true),
        ["sub empty"] = f => (Signed(f, With(f, "sub", "")), true),
        ["sub number"] = f => (Signed(f, With(f, "sub", 42)), true),
        ["sub null"] = f => (Signed(f, With(f, "sub", null)), true),
        ["sub array of Alice"] = f => (Signed(f, With(f, "sub", new JsonArray(f.Alice.Id))), true),
        ["sub object"] = f => (Signed(f, With(f, "sub", new JsonObject { ["id"] = f.Alice.Id })), true),
        ["sub huge"] = f => (Signed(f, With(f, "sub", new string('a', 5_000))), true),
        ["sub with lone surrogate"] = f => (Signed(f, With(f, "sub", f.Alice.Id + "\ud800")), true),
        ["sub of Alice with a trailing NUL"] = f => (Signed(f, With(f, "sub", f.Alice.Id + "\u0000")), true),
        ["sub of Alice upper-cased"] = f => (Signed(f, With(f, "sub", f.Alice.Id.ToUpperInvariant())), true),
        // A repeated member is refused before any read: IdentityModel would keep the last one, another reader the first.
        ["sub duplicated, Alice then Bob"] = f => (SignedRaw(f, Json(f)[..^1] + $",\"sub\":\"{f.Bob.Id}\"}}"), true),
        ["sub duplicated, Bob then Alice, kept signature"] = f => (KeptRaw(f, $"{{\"sub\":\"{f.Bob.Id}\"," + Json(f)[1..]), true),

        // exp, nbf, iat
        // IdentityModel reads a numeric string as a NumericDate; only a key holder could sign one, so the attacker's
        // version keeps the signature (docs/security.md).
        ["exp as string, kept signature"] = f => (Kept(f, With(f, "exp", (Now + 600).ToString(CultureInfo.InvariantCulture))), false),
        ["exp as non-numeric string"] = f => (Signed(f, With(f, "exp", "tomorrow")), true),
        ["exp missing"] = f => (Signed(f, Forge.Without(Payload(f), "exp")), true),
        ["exp null"] = f => (Signed(f, With(f, "exp", null)), true),
        ["exp far past"] = f => (Signed(f, With(f, "exp", 1)), true),
        ["exp negative"] = f => (Signed(f, With(f, "exp", -1)), true),
        ["exp just expired beyond skew"] = f => (Signed(f, With(f, "exp", Now - 120)), true),
        ["exp far future, kept signature"] = f => (Kept(f, With(f, "exp", 253_402_300_799L)), false),
        ["exp beyond year 9999, kept signature"] = f => (Kept(f, With(f, "exp", long.MaxValue)), false),
        ["exp as float, kept signature"] = f => (Kept(f, With(f, "exp", Now + 600.5)), false),
        ["exp as 1e300"] = f => (SignedRaw(f, Json(f).Replace($"\"exp\":{Payload(f)["exp"]}", "\"exp\":1e300", StringComparison.Ordinal)), false),
        ["exp as array"] = f => (Signed(f, With(f, "exp", new JsonArray(Now + 600))), true),
        ["nbf as string, kept signature"] = f => (Kept(f, With(f, "nbf", Now.ToString(CultureInfo.InvariantCulture))), false),
        ["nbf as non-numeric string"] = f => (Signed(f, With(f, "nbf", "now")), false),
        ["nbf far future"] = f => (Signed(f, With(f, "nbf", Now + 86_400)), true),
        ["nbf as float, kept signature"] = f => (Kept(f, With(f, "nbf", Now - 0.5)), false),
        ["iat as string, kept signature"] = f => (Kept(f, With(f, "iat", "yesterday")), false),
        ["iat far future, kept signature"] = f => (Kept(f, With(f, "iat", 253_402_300_799L)), false),
        ["iat far past, kept signature"] = f => (Kept(f, With(f, "iat", 0)), false),
        ["iat as float, kept signature"] = f => (Kept(f, With(f, "iat", Now + 0.25)), false),

        // iss, aud
        ["iss of another issuer"] = f => (Signed(f, With(f, "iss", "https://attacker.test")), true),
        ["aud of another API"] = f => (Signed(f, With(f, "aud", "another-api")), true),
        ["aud missing"] = f => (Signed(f, Forge.Without(Payload(f), "aud")), true),

        // privilege claims
        ["role admin added, kept signature"] = f => (Kept(f, With(f, "role", "admin")), false),
        ["role duplicated, kept signature"] = f => (KeptRaw(f, Json(f)[..^1] + ",\"role\":\"admin\",\"role\":\"admin\"}"), true),

        // structure
        ["payload deep nesting"] = f => (KeptRaw(f, Json(f)[..^1] + ",\"x\":" + Forge.Nested(2_000) + "}"), true),
        ["payload deep nesting, re-signed"] = f => (SignedRaw(f, Json(f)[..^1] + ",\"x\":" + Forge.Nested(2_000) + "}"), true),
        ["payload JSON array"] = f => (SignedRaw(f, $"[\"{f.Alice.Id}\"]"), true),
        ["payload not JSON"] = f => (SignedRaw(f, "sub=" + f.Alice.Id), true),
        ["payload empty"] = f => (SignedRaw(f, ""), true),

        // encoding
        ["standard base64 '+' in payload"] = f => (Replace(f.AliceToken, 1, '-', '+'), true),
        ["standard base64 '/' in signature"] = f => (f.AliceToken[..^2] + "/" + f.AliceToken[^1], true),
        ["padding on header"] = f => (Insert(f.AliceToken, f.AliceToken.IndexOf('.', StringComparison.Ordinal), "=="), true),
        ["padding on signature"] = f => (f.AliceToken + "=", true),
        ["whitespace inside the token"] = f => (Insert(f.AliceToken, 10, " "), true),
        ["percent-encoding"] = f => (Insert(f.AliceToken, 10, "%41"), true),
        ["non-ASCII letter"] = f => (Insert(f.AliceToken, 10, "é"), true),
        ["four segments"] = f => (f.AliceToken + "." + Forge.Parts(f.AliceToken)[2], true),
        ["five segments (JWE shape)"] = f => ($"{Forge.B64("{\"alg\":\"dir\",\"enc\":\"A256GCM\",\"kid\":\"test\"}")}..{Forge.Parts(f.AliceToken)[2][..16]}.{Forge.Parts(f.AliceToken)[1]}.{Forge.Parts(f.AliceToken)[2][..22]}", true),
        ["five segments of Alice's token parts"] = f => ($"{Forge.Parts(f.AliceToken)[0]}.{Forge.Parts(f.AliceToken)[1]}.{Forge.Parts(f.AliceToken)[2]}.{Forge.Parts(f.AliceToken)[1]}.{Forge.Parts(f.AliceToken)[2]}", true),
        ["empty signature"] = f => (f.AliceToken[..(f.AliceToken.LastIndexOf('.') + 1)], true),
        ["signature one character short"] = f => (f.AliceToken[..^1], true),
        ["signature one character long"] = f => (f.AliceToken + "A", true),
        ["signature of 64 bytes"] = f => (f.AliceToken + Forge.Parts(f.AliceToken)[2], true),
        ["signature non-canonical last character"] = f => (f.AliceToken[..^1] + NonCanonical(f.AliceToken[^1]), true),
        ["empty header"] = f => ("." + f.AliceToken[(f.AliceToken.IndexOf('.', StringComparison.Ordinal) + 1)..], true),
        ["empty payload"] = f => (Forge.Parts(f.AliceToken)[0] + ".." + Forge.Parts(f.AliceToken)[2], true),
        ["only dots"] = f => ("..", true),
    };

    public static TheoryData<string> CaseNames() => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task GetMe_HostilePayloadOrEncoding_Returns401(string name)
    {
        var (token, noRead) = Cases[name](f);

        // "At most one read": a case that passes the cheap checks may look Alice up once (her key is usually cached).
        await f.AssertRejectedAsync(token, maxReads: noRead ? 0 : 1, because: name);
    }

    private static JsonObject Payload(AdversarialFixture f) => Forge.Payload(f.AliceToken);

    private static string Json(AdversarialFixture f) => Forge.Json(Forge.Parts(f.AliceToken)[1]);

    private static JsonObject With(AdversarialFixture f, string name, JsonNode? value) => Forge.With(Payload(f), name, value);

    private static string Signed(AdversarialFixture f, JsonObject payload) => Forge.Sign(Forge.Header(f.AliceToken), payload, f.AliceKey);

    private static string SignedRaw(AdversarialFixture f, string payloadJson) => Forge.Sign(Forge.Json(Forge.Parts(f.AliceToken)[0]), payloadJson, f.AliceKey);

    private static string Kept(AdversarialFixture f, JsonObject payload) => KeptRaw(f, payload.ToJsonString());

    private static string KeptRaw(AdversarialFixture f, string payloadJson) => Forge.Unsigned(Forge.Json(Forge.Parts(f.AliceToken)[0]), payloadJson, f.AliceToken);

    private static string Insert(string token, int at, string text) => token[..at] + text + token[at..];

    private static string Replace(string token, int segment, char from, char to)
    {
        var parts = Forge.Parts(token);
        var index = parts[segment].IndexOf(from, StringComparison.Ordinal);
        parts[segment] = index < 0 ? to + parts[segment][1..] : parts[segment][..index] + to + parts[segment][(index + 1)..];
        return string.Join('.', parts);
    }

    private static char NonCanonical(char last)
    {
        const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        return Alphabet[Alphabet.IndexOf(last, StringComparison.Ordinal) | 1];
    }
}
