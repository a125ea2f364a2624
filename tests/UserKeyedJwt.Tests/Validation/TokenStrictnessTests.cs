using System.Text.RegularExpressions;
using UserKeyedJwt.Tests.Support;

namespace UserKeyedJwt.Tests.Validation;

/// <summary>
/// The checks IdentityModel's parser lacks. Every token here is signed under the user's real key, as only the server could
/// sign it, so nothing but the strictness rule can reject it; and each is judged with a cold and with a warm cache.
/// </summary>
public partial class TokenStrictnessTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string> NotAsIssued => [.. Edits.Keys];

    /// <summary>Edits of a genuine token's header or payload text that no issuer writes.</summary>
    private static readonly Dictionary<string, (Func<string, string>? Header, Func<string, string>? Payload)> Edits = new()
    {
        ["sub twice, another user last"] = (null, p => Insert(p, "\"sub\":\"user-2\"")),
        ["sub twice, another user first"] = (null, p => "{\"sub\":\"user-2\"," + p[1..]),
        ["exp twice, the expired value first"] = (null, p => "{\"exp\":1," + p[1..]),
        ["exp twice, the expired value last"] = (null, p => Insert(p, "\"exp\":1")),
        ["a repeated member inside a claim object"] = (null, p => Insert(p, "\"cnf\":{\"jkt\":\"a\",\"jkt\":\"b\"}")),
        ["text after the payload JSON"] = (null, p => p + "x"),
        ["a second JSON value after the payload"] = (null, p => p + "{}"),
        ["a payload that is an array"] = (null, p => "[" + p + "]"),
        ["header: an extra member"] = (h => Insert(h, "\"zip\":\"DEF\""), null),
        ["header: kid twice"] = (h => Insert(h, "\"kid\":\"s1.AAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA\""), null),
        ["header: members reordered"] = (h => Reorder(h), null),
        ["header: whitespace"] = (h => h.Replace(",", ", ", StringComparison.Ordinal), null),
        ["header: an escaped character"] = (h => h.Replace("at+jwt", "at\\u002Bjwt", StringComparison.Ordinal), null),
        ["header: text after the JSON"] = (h => h + " ", null),
    };

    [Theory]
    [MemberData(nameof(NotAsIssued))]
    public async Task ValidateAsync_SignedButNotAsIssued_IsMalformedColdAndWarmWithoutALookup(string edit)
    {
        using var f = new CoreFixture();
        var user = f.AddUser();
        f.AddUser(id: "user-2");
        var genuine = f.Issuer.Issue(user).Token;
        var (header, payload) = Edits[edit];
        var hostile = Tokens.Resign(genuine, f.KeyOf(user), header, payload);

        var cold = await f.Handler.ValidateAsync(hostile, cancellationToken: Ct);
        Assert.True((await f.Handler.ValidateAsync(genuine, cancellationToken: Ct)).IsValid);
        var warm = await f.Handler.ValidateAsync(hostile, cancellationToken: Ct);

        Assert.Equal(TokenFailureReason.Malformed, cold.FailureReason);
        Assert.Equal(TokenFailureReason.Malformed, warm.FailureReason);
        Assert.Equal(1, f.Source.Calls);
    }

    [Fact]
    public async Task ValidateAsync_ResignedWithInsignificantWhitespaceInThePayload_IsValid()
    {
        // JSON allows whitespace between tokens, and the signature covers the exact text: a payload spelled so is not ambiguous.
        using var f = new CoreFixture();
        var user = f.AddUser();
        var token = Tokens.Resign(f.Issuer.Issue(user).Token, f.KeyOf(user), payload: p => " " + p.Replace(",", ", ", StringComparison.Ordinal) + "\n");

        Assert.True((await f.Handler.ValidateAsync(token, cancellationToken: Ct)).IsValid);
    }

    [Theory]
    [InlineData("padding")]
    [InlineData("whitespace")]
    [InlineData("stray bits")]
    public async Task ValidateAsync_PayloadNotCanonicalBase64Url_IsMalformed(string spelling)
    {
        using var f = new CoreFixture();
        var user = f.AddUser();

        // A payload whose length leaves spare bits in its last character, so that every spelling below exists.
        var token = Tokens.Resign(f.Issuer.Issue(user).Token, f.KeyOf(user), payload: p => Insert(p, "\"pad\":\"" + PadFor(p) + "\""));
        var parts = token.Split('.');
        Assert.NotEqual(0, parts[1].Length % 4);
        var payload = spelling switch
        {
            "padding" => parts[1] + new string('=', 4 - (parts[1].Length % 4)),
            "whitespace" => parts[1].Insert(8, " "),
            _ => parts[1][..^1] + Sibling(parts[1][^1]),
        };
        var input = parts[0] + "." + payload;
        var respelled = input + "." + System.Buffers.Text.Base64Url.EncodeToString(System.Security.Cryptography.HMACSHA256.HashData(f.KeyOf(user), System.Text.Encoding.ASCII.GetBytes(input)));

        Assert.Equal(TokenFailureReason.Malformed, (await f.Handler.ValidateAsync(respelled, cancellationToken: Ct)).FailureReason);
        Assert.Equal(0, f.Source.Calls);
    }

    private static string Insert(string json, string member) => json.Insert(json.LastIndexOf('}'), "," + member);

    private static string Reorder(string header)
    {
        var members = MemberPattern().Matches(header).Select(m => m.Value).Reverse();
        return "{" + string.Join(",", members) + "}";
    }

    // A filler that makes the JSON's length not a multiple of 3, so the base64url text ends in a character with spare bits.
    private static string PadFor(string payload) => (payload.Length + ",\"pad\":\"\"".Length) % 3 == 0 ? "x" : string.Empty;

    private static char Sibling(char last)
    {
        const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        return Alphabet[Alphabet.IndexOf(last, StringComparison.Ordinal) ^ 1];
    }

    [GeneratedRegex("\"[a-z]+\":\"[^\"]*\"")]
    private static partial Regex MemberPattern();
}
