using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace UserKeyedJwt.AspNetCore.Tests.Adversarial;

/// <summary>
/// Hostile JOSE headers against the real pipeline. Each token is signed with Alice's real key, so its signature is right for
/// what it says: only the header can make it fail, and it must fail in the cheap checks, before any user-store read.
/// </summary>
public sealed class HeaderAttackTests(AdversarialFixture f) : IClassFixture<AdversarialFixture>
{
    private static readonly Dictionary<string, Func<AdversarialFixture, string>> Cases = new(StringComparer.Ordinal)
    {
        // alg
        ["alg none, no signature"] = f => $"{Forge.B64(Header(f).ToJsonString().Replace("HS256", "none", StringComparison.Ordinal))}.{Forge.Parts(f.AliceToken)[1]}.",
        ["alg none, real HS256 signature"] = f => Signed(f, With(f, "alg", "none")),
        ["alg None"] = f => Signed(f, With(f, "alg", "None")),
        ["alg hs256 (case)"] = f => Signed(f, With(f, "alg", "hs256")),
        ["alg HS512 signed with HMAC-SHA512 under the real key"] = f => SignHs512(f),
        ["alg HS512 with HS256 signature"] = f => Signed(f, With(f, "alg", "HS512")),
        ["alg RS256 with HS256 signature (key confusion)"] = f => Signed(f, With(f, "alg", "RS256")),
        ["alg RS256 with 256-byte signature"] = f => WithSignature(Signed(f, With(f, "alg", "RS256")), RandomNumberGenerator.GetBytes(256)),
        ["alg ES256 with HS256 signature"] = f => Signed(f, With(f, "alg", "ES256")),
        ["alg ES256 with 64-byte signature"] = f => WithSignature(Signed(f, With(f, "alg", "ES256")), RandomNumberGenerator.GetBytes(64)),
        ["alg missing"] = f => Signed(f, Forge.Without(Header(f), "alg")),
        ["alg not a string"] = f => Signed(f, With(f, "alg", 256)),
        ["alg duplicated, second none"] = f => SignedRaw(f, $"{{\"alg\":\"HS256\",\"alg\":\"none\",\"kid\":\"{Kid(f)}\",\"typ\":\"at+jwt\"}}"),

        // typ
        ["typ missing"] = f => Signed(f, Forge.Without(Header(f), "typ")),
        ["typ JWT"] = f => Signed(f, With(f, "typ", "JWT")),
        ["typ refresh (rt+jwt) where access is expected"] = f => Signed(f, With(f, "typ", "rt+jwt")),
        ["typ AT+JWT (case)"] = f => Signed(f, With(f, "typ", "AT+JWT")),
        ["typ application/at+jwt"] = f => Signed(f, With(f, "typ", "application/at+jwt")),

        // header members that extend or redirect the key
        ["crit exp"] = f => Signed(f, With(f, "crit", new JsonArray("exp"))),
        ["crit unknown extension"] = f => Signed(f, With(f, "crit", new JsonArray("x-ukjwt"))),
        ["jku to an attacker JWKS"] = f => Signed(f, With(f, "jku", "https://attacker.test/jwks.json")),
        ["x5u to an attacker certificate"] = f => Signed(f, With(f, "x5u", "https://attacker.test/cert.pem")),
        ["jwk with the attacker's key, signed with it"] = f => InjectJwk(f),
        ["x5c chain"] = f => Signed(f, With(f, "x5c", new JsonArray("MIIB"))),
        ["enc (JWE header)"] = f => Signed(f, With(f, "enc", "A256GCM")),
        ["zip"] = f => Signed(f, With(f, "zip", "DEF")),
        ["b64 false"] = f => Signed(f, With(f, "b64", false)),
        ["cty JWT (nested)"] = f => Signed(f, With(f, "cty", "JWT")),

        // kid
        ["kid missing"] = f => Signed(f, Forge.Without(Header(f), "kid")),
        ["kid empty"] = f => Signed(f, With(f, "kid", "")),
        ["kid huge, within the token size limit"] = f => Signed(f, With(f, "kid", Kid(f) + new string('A', 3_000))),
        ["kid huge, past the token size limit"] = f => Signed(f, With(f, "kid", Kid(f) + new string('A', 100_000))),
        ["kid secret id only"] = f => Signed(f, With(f, "kid", "test")),
        ["kid SQL"] = f => Signed(f, With(f, "kid", "test' OR '1'='1' --.AAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA")),
        ["kid SQL in secret id"] = f => Signed(f, With(f, "kid", "x';DROP TABLE AspNetUsers;--." + Kid(f)[(Kid(f).IndexOf('.', StringComparison.Ordinal) + 1)..])),
        ["kid path traversal"] = f => Signed(f, With(f, "kid", "../../../../etc/passwd")),
        ["kid path traversal in secret id"] = f => Signed(f, With(f, "kid", "../test." + Kid(f)[(Kid(f).IndexOf('.', StringComparison.Ordinal) + 1)..])),
        ["kid NUL and control characters"] = f => Signed(f, With(f, "kid", "test\u0000." + Kid(f)[5..])),
        ["kid not a string"] = f => Signed(f, With(f, "kid", 7)),
        ["kid with Bob's valid tag, signed with Alice's key"] = f => Signed(f, With(f, "kid", Forge.Header(f.BobToken)["kid"]!.GetValue<string>())),
        ["kid with Bob's valid tag, signed with Bob's key"] = f => Forge.Sign(With(f, "kid", Forge.Header(f.BobToken)["kid"]!.GetValue<string>()), Forge.Payload(f.AliceToken), f.BobKey),
        ["kid with a flipped tag character"] = f => Signed(f, With(f, "kid", Kid(f)[..^1] + (Kid(f)[^1] == 'A' ? 'B' : 'A'))),
        ["kid with Alice's tag but another fingerprint"] = f => Signed(f, With(f, "kid", KidWithFingerprint(f, "AAAAAAAAAAA"))),

        // header encodings
        ["header deep nesting"] = f => SignedRaw(f, $"{{\"alg\":\"HS256\",\"kid\":\"{Kid(f)}\",\"typ\":\"at+jwt\",\"x\":{Forge.Nested(10_000)}}}"),
        ["header JSON array"] = f => SignedRaw(f, "[\"HS256\"]"),
        ["header with comment"] = f => SignedRaw(f, $"{{\"alg\":\"HS256\",/*x*/\"kid\":\"{Kid(f)}\",\"typ\":\"at+jwt\"}}"),
        ["header with trailing comma"] = f => SignedRaw(f, $"{{\"alg\":\"HS256\",\"kid\":\"{Kid(f)}\",\"typ\":\"at+jwt\",}}"),
        ["header trailing garbage"] = f => SignedRaw(f, Header(f).ToJsonString() + "{}"),
        ["header escaped forbidden member (\\u006aku)"] = f => SignedRaw(f, $"{{\"alg\":\"HS256\",\"kid\":\"{Kid(f)}\",\"typ\":\"at+jwt\",\"\\u006aku\":\"https://attacker.test/jwks.json\"}}"),
        ["header escaped duplicate (\\u0061lg none)"] = f => SignedRaw(f, $"{{\"alg\":\"HS256\",\"kid\":\"{Kid(f)}\",\"typ\":\"at+jwt\",\"\\u0061lg\":\"none\"}}"),
        ["header invalid UTF-8"] = f => SignedBytes(f, [.. Encoding.UTF8.GetBytes($"{{\"alg\":\"HS256\",\"kid\":\"{Kid(f)}\",\"typ\":\"at+jwt\",\"x\":\""), 0xC3, 0x28, (byte)'"', (byte)'}']),
    };

    public static TheoryData<string> CaseNames() => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task GetMe_HostileHeaderSignedWithRealKey_Returns401WithoutStoreRead(string name)
    {
        var token = Cases[name](f);

        await f.AssertRejectedAsync(token, maxReads: 0, because: name);
    }

    [Fact]
    public async Task GetMe_HeaderReSignedUnchanged_Returns200()
    {
        // The control for every case above: the same re-signing with nothing hostile is accepted.
        Assert.Equal(System.Net.HttpStatusCode.OK, await f.Api.MeStatusAsync(Signed(f, Header(f))));
    }

    private static JsonObject Header(AdversarialFixture f) => Forge.Header(f.AliceToken);

    private static string Kid(AdversarialFixture f) => Header(f)["kid"]!.GetValue<string>();

    private static string KidWithFingerprint(AdversarialFixture f, string fingerprint)
    {
        var parts = Kid(f).Split('.');
        return $"{parts[0]}.{fingerprint}.{parts[2]}";
    }

    private static JsonObject With(AdversarialFixture f, string name, JsonNode? value) => Forge.With(Header(f), name, value);

    private static string Signed(AdversarialFixture f, JsonObject header) => Forge.Sign(header, Forge.Payload(f.AliceToken), f.AliceKey);

    private static string SignedRaw(AdversarialFixture f, string headerJson) => Forge.Sign(headerJson, Forge.Json(Forge.Parts(f.AliceToken)[1]), f.AliceKey);

    private static string SignedBytes(AdversarialFixture f, byte[] header)
    {
        var input = Base64Url.EncodeToString(header) + "." + Forge.Parts(f.AliceToken)[1];
        return input + "." + Base64Url.EncodeToString(HMACSHA256.HashData(f.AliceKey, Encoding.ASCII.GetBytes(input)));
    }

    private static string SignHs512(AdversarialFixture f)
    {
        var input = Forge.B64(With(f, "alg", "HS512").ToJsonString()) + "." + Forge.Parts(f.AliceToken)[1];
        return input + "." + Base64Url.EncodeToString(HMACSHA512.HashData(f.AliceKey, Encoding.ASCII.GetBytes(input)));
    }

    private static string WithSignature(string token, byte[] signature) => token[..(token.LastIndexOf('.') + 1)] + Base64Url.EncodeToString(signature);

    private static string InjectJwk(AdversarialFixture f)
    {
        var attackerKey = RandomNumberGenerator.GetBytes(32);
        var jwk = new JsonObject { ["kty"] = "oct", ["k"] = Base64Url.EncodeToString(attackerKey), ["kid"] = Kid(f) };
        return Forge.Sign(With(f, "jwk", jwk), Forge.Payload(f.AliceToken), attackerKey);
    }
}
