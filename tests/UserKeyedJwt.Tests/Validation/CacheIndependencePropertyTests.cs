using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Microsoft.IdentityModel.JsonWebTokens;
using UserKeyedJwt.Tests.Support;

namespace UserKeyedJwt.Tests.Validation;

/// <summary>
/// The same token gets the same verdict whatever the key cache holds: cold, warm with the user's access key, warm with only
/// the refresh key, warm with another user's keys, or warm from having judged this very token before. The tokens are
/// genuine ones and variants of them: repeated members, text after the JSON, other header spellings, claims edited with and
/// without a new signature, kids of the other purpose or user, and the other purpose's type.
/// </summary>
public class CacheIndependencePropertyTests
{
    public enum Signing
    {
        /// <summary>The original signature kept, as anyone can.</summary>
        Kept,

        /// <summary>Signed again under the user's real key of the token's own purpose, as only the server could.</summary>
        UserKey,

        /// <summary>Signed again under the user's real key of the other purpose.</summary>
        OtherPurposeKey,
    }

    [Property(Arbitrary = [typeof(Arbitraries)], MaxTest = 300)]
    public async Task Verdict_AnyVariantOfAGenuineToken_IsTheSameWhateverTheCacheHolds(Variant variant, Signing signing, bool refresh)
    {
        using var f = new CoreFixture();
        var alice = f.AddUser();
        var bob = f.AddUser(id: "bob", stamp: "stamp-b");
        var purpose = refresh ? TokenPurpose.Refresh : TokenPurpose.Access;
        var other = refresh ? TokenPurpose.Access : TokenPurpose.Refresh;
        var genuine = f.Issuer.Issue(alice, purpose: purpose).Token;
        var context = new VariantContext(
            genuine,
            new JsonWebToken(f.Issuer.Issue(alice, purpose: other).Token).Kid,
            new JsonWebToken(f.Issuer.Issue(bob, purpose: purpose).Token).Kid,
            f.Time.GetUtcNow().ToUnixTimeSeconds());
        var (header, payload) = variant.Edit(context);
        var token = signing switch
        {
            Signing.Kept => $"{Tokens.Encode(header)}.{Tokens.Encode(payload)}.{genuine.Split('.')[2]}",
            Signing.UserKey => Tokens.SignRaw(header, payload, f.KeyOf(alice, purpose)),
            _ => Tokens.SignRaw(header, payload, f.KeyOf(alice, other)),
        };

        var verdicts = new List<string>();
        async Task Judge(string state)
        {
            var result = await f.Handler.ValidateAsync(token, purpose);
            verdicts.Add($"{state}: {(result.IsValid ? "valid for " + result.UserId : result.FailureReason.ToString())}");
        }

        await Judge("cold");
        await Judge("after judging it once");
        f.Cache.Clear();
        await f.Handler.ValidateAsync(genuine, purpose);
        await Judge("warm with the user's key");
        f.Cache.Clear();
        await f.Handler.ValidateAsync(f.Issuer.Issue(alice, purpose: other).Token, other);
        await Judge("warm with the other purpose's key");
        f.Cache.Clear();
        await f.Handler.ValidateAsync(f.Issuer.Issue(bob, purpose: purpose).Token, purpose);
        await Judge("warm with another user's key");

        var verdict = verdicts[0][(verdicts[0].IndexOf(':', StringComparison.Ordinal) + 2)..];
        Assert.True(verdicts.TrueForAll(v => v.EndsWith(": " + verdict, StringComparison.Ordinal)), $"{variant} {signing}: {string.Join("; ", verdicts)}");
        if (variant.Name == "genuine" && signing != Signing.OtherPurposeKey)
        {
            Assert.Equal("valid for user-1", verdict);
        }
    }

    /// <summary>What a variant is built from: the genuine token, kids of the other purpose and of another user, and now.</summary>
    public sealed record VariantContext(string Token, string OtherPurposeKid, string OtherUserKid, long Now)
    {
        public string Header => Tokens.Json(Token, 0);

        public string Payload => Tokens.Json(Token, 1);

        public string Kid => new JsonWebToken(Token).Kid;
    }

    /// <summary>A named edit of a genuine token's header and payload text.</summary>
    public sealed record Variant(string Name, Func<VariantContext, (string Header, string Payload)> Edit)
    {
        public override string ToString() => Name;
    }

    public static class Arbitraries
    {
        private static readonly string[] Claims = ["sub", "exp", "nbf", "iat", "iss", "aud", "jti", "sid", "role"];

        public static Arbitrary<Variant> Variants()
        {
            var fixedVariants = Gen.Elements<Variant>(
                new("genuine", c => (c.Header, c.Payload)),
                new("text after the payload", c => (c.Header, c.Payload + "x")),
                new("whitespace after the payload", c => (c.Header, c.Payload + " \n")),
                new("a second value after the payload", c => (c.Header, c.Payload + "{}")),
                new("header with an extra member", c => (Insert(c.Header, "\"crit\":[\"exp\"]"), c.Payload)),
                new("header with kid twice", c => (Insert(c.Header, $"\"kid\":\"{c.Kid}\""), c.Payload)),
                new("header with whitespace", c => (c.Header.Replace(":", ": ", StringComparison.Ordinal), c.Payload)),
                new("header with the other purpose's type", c => (Swap(c.Header, "at+jwt", "rt+jwt"), c.Payload)),
                new("header with the other purpose's kid", c => (c.Header.Replace(c.Kid, c.OtherPurposeKid, StringComparison.Ordinal), c.Payload)),
                new("header with another user's kid", c => (c.Header.Replace(c.Kid, c.OtherUserKid, StringComparison.Ordinal), c.Payload)),
                new("header with alg none", c => (c.Header.Replace("HS256", "none", StringComparison.Ordinal), c.Payload)),
                new("payload an array", c => (c.Header, "[" + c.Payload + "]")),
                new("payload expired", c => (c.Header, Set(c.Payload, "exp", (c.Now - 3600).ToString(System.Globalization.CultureInfo.InvariantCulture)))),
                new("payload not yet valid", c => (c.Header, Set(c.Payload, "nbf", (c.Now + 3600).ToString(System.Globalization.CultureInfo.InvariantCulture)))),
                new("payload without exp", c => (c.Header, Remove(c.Payload, "exp"))),
                new("payload issued later", c => (c.Header, Set(c.Payload, "iat", (c.Now + 5).ToString(System.Globalization.CultureInfo.InvariantCulture)))),
                new("payload for another user", c => (c.Header, Set(c.Payload, "sub", "\"bob\""))),
                new("payload for an unknown user", c => (c.Header, Set(c.Payload, "sub", "\"nobody\""))),
                new("payload with a foreign audience", c => (c.Header, Set(c.Payload, "aud", "\"other-api\""))));

            var repeated =
                from claim in Gen.Elements(Claims)
                from first in Gen.Elements(true, false)
                from value in Gen.Elements("\"user-1\"", "\"bob\"", "1", "9999999999", "null", "[]", "{}")
                select new Variant($"{claim} repeated ({value}, {(first ? "first" : "last")})", c => (c.Header, first ? "{\"" + claim + "\":" + value + "," + c.Payload[1..] : Insert(c.Payload, $"\"{claim}\":{value}")));

            var edited =
                from claim in Gen.Elements(Claims)
                from value in Gen.Elements("\"user-1\"", "\"x\"", "0", "-1", "1e400", "null", "true", "[\"a\",\"a\"]", "{\"a\":1}")
                select new Variant($"{claim} set to {value}", c => (c.Header, Set(c.Payload, claim, value)));

            return Gen.Frequency((3, fixedVariants), (2, repeated), (2, edited)).ToArbitrary();
        }

        private static string Insert(string json, string member) => json.Insert(json.LastIndexOf('}'), "," + member);

        private static string Swap(string text, string a, string b) =>
            text.Contains(a, StringComparison.Ordinal) ? text.Replace(a, b, StringComparison.Ordinal) : text.Replace(b, a, StringComparison.Ordinal);

        private static string Set(string payload, string claim, string value)
        {
            var node = System.Text.Json.Nodes.JsonNode.Parse(payload)!.AsObject();
            node[claim] = System.Text.Json.Nodes.JsonNode.Parse(value);
            return node.ToJsonString(new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        }

        private static string Remove(string payload, string claim)
        {
            var node = System.Text.Json.Nodes.JsonNode.Parse(payload)!.AsObject();
            node.Remove(claim);
            return node.ToJsonString();
        }
    }
}
