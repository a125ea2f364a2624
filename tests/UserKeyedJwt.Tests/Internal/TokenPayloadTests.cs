using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Microsoft.IdentityModel.JsonWebTokens;
using UserKeyedJwt.Internal;
using UserKeyedJwt.Tests.Support;

namespace UserKeyedJwt.Tests.Internal;

public class TokenPayloadTests
{
    private const string Issuer = "https://issuer.test";
    private const string Audience = "api.test";

    // Any header will do for IdentityModel's parse of the payload.
    private static readonly string Header = Tokens.Encode("{\"alg\":\"HS256\",\"kid\":\"s1.AAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA\",\"typ\":\"at+jwt\"}");

    [Theory]
    [InlineData(TokenPurpose.Access)]
    [InlineData(TokenPurpose.Refresh)]
    public void TryRead_IssuedToken_AgreesWithIdentityModel(TokenPurpose purpose)
    {
        using var f = new CoreFixture();
        var token = f.Issuer.Issue(f.AddUser(), purpose: purpose).Token;
        var jwt = new JsonWebToken(token);

        Assert.True(TokenPayload.TryRead(token.Split('.')[1], Issuer, Audience, out var claims));
        Assert.Equal(jwt.Subject, claims.Subject);
        Assert.Equal(jwt.ValidTo, claims.ExpiresUtc);
        Assert.Equal(jwt.ValidFrom, claims.NotBeforeUtc);
    }

    [Theory]
    [InlineData("{\"sub\":\"u\",\"sub\":\"v\",\"exp\":1,\"iss\":\"I\",\"aud\":\"A\"}")] // duplicate sub
    [InlineData("{\"sub\":\"u\",\"exp\":1,\"exp\":2,\"iss\":\"I\",\"aud\":\"A\"}")] // duplicate exp
    [InlineData("{\"sub\":\"u\",\"exp\":1,\"iss\":\"I\",\"iss\":\"I\",\"aud\":\"A\"}")] // duplicate iss
    [InlineData("{\"sub\":\"u\",\"exp\":1,\"iss\":\"I\",\"aud\":\"A\",\"aud\":\"A\"}")] // duplicate aud
    [InlineData("{\"sub\":\"u\",\"s\\u0075b\":\"v\",\"exp\":1,\"iss\":\"I\",\"aud\":\"A\"}")] // duplicate through an escape
    [InlineData("{\"sub\":\"u\",\"exp\":1,\"nbf\":1,\"nbf\":1,\"iss\":\"I\",\"aud\":\"A\"}")] // duplicate nbf
    [InlineData("{\"sub\":1,\"exp\":1,\"iss\":\"I\",\"aud\":\"A\"}")] // sub not a string
    [InlineData("{\"sub\":\"\",\"exp\":1,\"iss\":\"I\",\"aud\":\"A\"}")] // empty sub
    [InlineData("{\"exp\":1,\"iss\":\"I\",\"aud\":\"A\"}")] // no sub
    [InlineData("{\"sub\":\"u\",\"iss\":\"I\",\"aud\":\"A\"}")] // no exp
    [InlineData("{\"sub\":\"u\",\"exp\":\"1\",\"iss\":\"I\",\"aud\":\"A\"}")] // exp a string
    [InlineData("{\"sub\":\"u\",\"exp\":1.5,\"iss\":\"I\",\"aud\":\"A\"}")] // exp not an integer
    [InlineData("{\"sub\":\"u\",\"exp\":99999999999999999999,\"iss\":\"I\",\"aud\":\"A\"}")] // exp past long
    [InlineData("{\"sub\":\"u\",\"exp\":1,\"nbf\":null,\"iss\":\"I\",\"aud\":\"A\"}")] // nbf null
    [InlineData("{\"sub\":\"u\",\"exp\":1,\"aud\":\"A\"}")] // no iss
    [InlineData("{\"sub\":\"u\",\"exp\":1,\"iss\":\"other\",\"aud\":\"A\"}")] // other iss
    [InlineData("{\"sub\":\"u\",\"exp\":1,\"iss\":[\"I\"],\"aud\":\"A\"}")] // iss an array
    [InlineData("{\"sub\":\"u\",\"exp\":1,\"iss\":\"I\"}")] // no aud
    [InlineData("{\"sub\":\"u\",\"exp\":1,\"iss\":\"I\",\"aud\":[]}")] // empty aud
    [InlineData("{\"sub\":\"u\",\"exp\":1,\"iss\":\"I\",\"aud\":[\"A\",1]}")] // aud with a number
    [InlineData("{\"sub\":\"u\",\"exp\":1,\"iss\":\"I\",\"aud\":{\"A\":1}}")] // aud an object
    [InlineData("{\"sub\":\"u\",\"exp\":1,\"iss\":\"I\",\"aud\":\"A\"} ")] // trailing whitespace is fine for JSON, see below
    [InlineData("{\"sub\":\"u\",\"exp\":1,\"iss\":\"I\",\"aud\":\"A\"}x")] // trailing content
    [InlineData("{\"sub\":\"u\",\"exp\":1,\"iss\":\"I\",\"aud\":\"A\"}{}")] // a second value
    [InlineData("{\"sub\":\"u\",\"exp\":1,\"iss\":\"I\",\"aud\":\"A\",}")] // trailing comma
    [InlineData("{\"sub\":\"u\",/*c*/\"exp\":1,\"iss\":\"I\",\"aud\":\"A\"}")] // comment
    [InlineData("[\"sub\"]")]
    [InlineData("\"sub\"")]
    [InlineData("")]
    [InlineData("{\"sub\":\"u\",\"exp\":1,\"iss\":\"I\",\"aud\":\"A\",\"x\":[[[[")] // unterminated
    public void TryReadJson_NotOurShape_IsRejected(string json)
    {
        var accepted = TokenPayload.TryReadJson(Encoding.UTF8.GetBytes(json.Replace("\"I\"", "\"" + Issuer + "\"", StringComparison.Ordinal).Replace("\"A\"", "\"" + Audience + "\"", StringComparison.Ordinal)), Issuer, Audience, out _);

        // Whitespace after the object is valid JSON (and IdentityModel reads it); everything else here is refused.
        Assert.Equal(json.EndsWith("} ", StringComparison.Ordinal), accepted);
    }

    [Fact]
    public void TryReadJson_EscapedMemberNamesAndValues_ReadAsIdentityModelReadsThem()
    {
        var json = "{\"s\\u0075b\":\"\\u00e9l\\u00e8ve\",\"exp\":4102444800,\"iss\":\"https:\\/\\/issuer.test\",\"a\\u0075d\":[\"x\",\"api.t\\u0065st\"]}";

        Assert.True(TokenPayload.TryReadJson(Encoding.UTF8.GetBytes(json), Issuer, Audience, out var claims));
        var jwt = new JsonWebToken(Header + "." + Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json)) + ".");
        Assert.Equal("élève", claims.Subject);
        Assert.Equal(jwt.Subject, claims.Subject);
        Assert.Equal(jwt.ValidTo, claims.ExpiresUtc);
    }

    [Theory]
    [InlineData("\"iat\":1700000000,", 1700000000L)]
    [InlineData("", null)]
    [InlineData("\"iat\":\"1700000000\",", null)]
    [InlineData("\"iat\":1.5,", null)]
    [InlineData("\"iat\":{\"x\":[1]},", null)]
    [InlineData("\"iat\":1700000000,\"iat\":1700000001,", null)]
    [InlineData("\"iat\":1,\"iat\":2,\"iat\":3,", null)]
    public void TryReadJson_Iat_IsAHintReadOnlyWhenOneIntegerIsThere(string member, long? expected)
    {
        var json = "{" + member + "\"sub\":\"u\",\"exp\":4102444800,\"iss\":\"" + Issuer + "\",\"aud\":\"" + Audience + "\"}";

        Assert.True(TokenPayload.TryReadJson(Encoding.UTF8.GetBytes(json), Issuer, Audience, out var claims));
        Assert.Equal(expected, claims.IssuedAt);
    }

    [Fact]
    public void TryReadJson_TooDeep_IsRejectedWithoutThrowing()
    {
        var json = "{\"sub\":\"u\",\"exp\":1,\"iss\":\"" + Issuer + "\",\"aud\":\"" + Audience + "\",\"x\":" + new string('[', 100_000) + new string(']', 100_000) + "}";

        Assert.False(TokenPayload.TryReadJson(Encoding.UTF8.GetBytes(json), Issuer, Audience, out _));
    }

    [Fact]
    public void TryReadJson_SubjectOfMaximumLength_IsAcceptedAndOneLonger_IsNot()
    {
        static string Json(int length) => "{\"sub\":\"" + new string('u', length) + "\",\"exp\":1,\"iss\":\"" + Issuer + "\",\"aud\":\"" + Audience + "\"}";

        Assert.True(TokenPayload.TryReadJson(Encoding.UTF8.GetBytes(Json(TokenPayload.MaxSubjectLength)), Issuer, Audience, out _));
        Assert.False(TokenPayload.TryReadJson(Encoding.UTF8.GetBytes(Json(TokenPayload.MaxSubjectLength + 1)), Issuer, Audience, out _));
    }

    [Theory]
    [InlineData(long.MinValue)]
    [InlineData(-1L)]
    [InlineData(0L)]
    [InlineData(1L)]
    [InlineData(4102444800L)]
    [InlineData(253402300799L)]
    [InlineData(253402300800L)]
    [InlineData(long.MaxValue)]
    public void ToDateTime_EdgeValues_MatchIdentityModel(long seconds)
    {
        var json = "{\"sub\":\"u\",\"exp\":" + seconds + ",\"nbf\":" + seconds + ",\"iss\":\"" + Issuer + "\",\"aud\":\"" + Audience + "\"}";
        var jwt = new JsonWebToken(Header + "." + Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json)) + ".");

        Assert.True(TokenPayload.TryReadJson(Encoding.UTF8.GetBytes(json), Issuer, Audience, out var claims));
        Assert.Equal(jwt.ValidTo, claims.ExpiresUtc);
        Assert.Equal(jwt.ValidFrom, claims.NotBeforeUtc);
    }

    [Theory]
    [InlineData("!!!!")]
    [InlineData("e")]
    [InlineData("eyJzdWIiOiJ1In0=")]
    [InlineData("eyJzdWIiOiJ1In0==")]
    public void TryRead_NotBase64Url_IsRejected(string encoded) =>
        Assert.False(TokenPayload.TryRead(encoded, Issuer, Audience, out _));

    /// <summary>
    /// Well-typed payloads in random member order, with escapes, extra members and edge values: our reader accepts exactly
    /// when IdentityModel's reading meets the policy (subject 1-256 chars, exp present, our issuer, our audience), and then
    /// reads the same subject and times.
    /// </summary>
    [Property(Arbitrary = [typeof(Arbitraries)], MaxTest = 500)]
    public bool TryRead_WellTypedPayload_AgreesWithIdentityModel(Payload payload)
    {
        var encoded = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(payload.Json));
        var accepted = TokenPayload.TryRead(encoded, Issuer, Audience, out var claims);
        var jwt = new JsonWebToken(Header + "." + encoded + ".");
        var policy = !string.IsNullOrEmpty(jwt.Subject) && jwt.Subject.Length <= TokenPayload.MaxSubjectLength && jwt.ValidTo != DateTime.MinValue
            && jwt.Issuer == Issuer && jwt.Audiences.Contains(Audience);
        if (accepted != policy)
        {
            return false;
        }

        return !accepted || (claims.Subject == jwt.Subject && claims.ExpiresUtc == jwt.ValidTo
            && (claims.NotBeforeUtc ?? DateTime.MinValue) == jwt.ValidFrom);
    }

    /// <summary>
    /// Hostile payloads (well-typed ones with characters deleted, replaced or inserted, and arbitrary text): our reader never
    /// throws, and whatever it accepts IdentityModel either reads the same way or refuses (the handler then fails closed).
    /// </summary>
    [Property(Arbitrary = [typeof(Arbitraries)], MaxTest = 1000)]
    public bool TryRead_MutatedPayload_NeverThrowsAndNeverDisagrees(Payload payload, int at, char replacement, int mode, string? noise)
    {
        var json = payload.Json;
        var i = Math.Abs(at % (json.Length + 1));
        json = (mode & 3) switch
        {
            0 => i < json.Length ? json.Remove(i, 1) : json,
            1 => json.Insert(i, replacement.ToString()),
            2 => i < json.Length ? json.Remove(i, 1).Insert(i, replacement.ToString()) : json,
            _ => noise ?? string.Empty,
        };

        byte[] bytes;
        try
        {
            bytes = new UTF8Encoding(false, throwOnInvalidBytes: true).GetBytes(json);
        }
        catch (EncoderFallbackException)
        {
            // A lone surrogate: send its raw code units' low bytes instead, which are hostile bytes all the same.
            bytes = [.. json.Select(c => (byte)c)];
        }

        var encoded = Base64Url.EncodeToString(bytes);
        var accepted = TokenPayload.TryRead(encoded, Issuer, Audience, out var claims);
        _ = TokenPayload.TryRead(json, Issuer, Audience, out _); // raw text as the encoded segment: never throws either
        if (!accepted)
        {
            return true;
        }

        JsonWebToken jwt;
        try
        {
            jwt = new JsonWebToken(Header + "." + encoded + ".");
        }
#pragma warning disable CA1031 // IdentityModel refusing what we accepted is fine: the handler rejects it as malformed.
        catch (Exception)
#pragma warning restore CA1031
        {
            return true;
        }

        return claims.Subject == jwt.Subject && claims.ExpiresUtc == jwt.ValidTo && jwt.Issuer == Issuer && jwt.Audiences.Contains(Audience);
    }

    public sealed record Payload(string Json)
    {
        public override string ToString() => Json;
    }

    public static class Arbitraries
    {
        private static readonly Gen<string> Text =
            Gen.Elements("u", "user-1", "é", "ユ", "😀", "\"", "\\", "/", "\u0001", " ", "3f2b8c1e-0d4a-4e7b-9c55-1a2b3c4d5e6f", Issuer, Audience, new string('x', 250))
                .ArrayOf().Select(parts => string.Concat(parts));

        private static readonly Gen<string> Seconds =
            Gen.Elements(long.MinValue, -1L, 0L, 1L, 1_700_000_000L, 4_102_444_800L, 253_402_300_799L, 253_402_300_800L, long.MaxValue)
                .Select(s => s.ToString(System.Globalization.CultureInfo.InvariantCulture));

        private static string Str(string s) => JsonSerializer.Serialize(s); // escapes as System.Text.Json does

        private static readonly Gen<string> AudienceValue = Gen.OneOf(
            Gen.Elements(Audience, "other").Select(Str),
            Gen.Elements(Audience, "other", "x").ArrayOf().Select(a => "[" + string.Join(",", a.Select(Str)) + "]"));

        private static readonly Gen<string> Extra = Gen.Elements(
            "\"jti\":\"abc\"", "\"iat\":1700000000", "\"role\":[\"a\",\"b\"]", "\"obj\":{\"sub\":\"nested\",\"exp\":[1]}",
            "\"n\":null", "\"t\":true", "\"f\":1.5e3", "\"esc\\u0061ped\":\"v\"");

        public static Arbitrary<Payload> Payloads() =>
            (from sub in Gen.OneOf(Text.Select(Str).Select(v => (string?)v), Gen.Constant<string?>(null))
             from subName in Gen.Elements("sub", "s\\u0075b")
             from exp in Gen.OneOf(Seconds.Select(v => (string?)v), Gen.Constant<string?>(null))
             from nbf in Gen.OneOf(Seconds.Select(v => (string?)v), Gen.Constant<string?>(null))
             from iss in Gen.OneOf(Gen.Elements(Issuer, "https://other.test", "https:\\/\\/issuer.test").Select(v => (string?)(v.Contains('\\', StringComparison.Ordinal) ? "\"" + v + "\"" : Str(v))), Gen.Constant<string?>(null))
             from aud in Gen.OneOf(AudienceValue.Select(v => (string?)v), Gen.Constant<string?>(null))
             from extras in Extra.ArrayOf()
             from order in Gen.Shuffle(Enumerable.Range(0, 5 + extras.Length).ToArray())
             select new Payload(Build(order, [
                 sub is null ? null : "\"" + subName + "\":" + sub,
                 exp is null ? null : "\"exp\":" + exp,
                 nbf is null ? null : "\"nbf\":" + nbf,
                 iss is null ? null : "\"iss\":" + iss,
                 aud is null ? null : "\"aud\":" + aud,
                 .. extras.Distinct()]))).ToArbitrary();

        private static string Build(int[] order, string?[] members) =>
            "{" + string.Join(",", order.Where(i => i < members.Length).Select(i => members[i]).Where(m => m is not null)) + "}";
    }
}
