using UserKeyedJwt.Tool.Tests.Support;

namespace UserKeyedJwt.Tool.Tests.Inspecting;

/// <summary><c>ukjwt inspect</c>: a token's header, claims and kid parts without any secret; garbage is "malformed", never a crash.</summary>
public sealed class InspectorTests(SampleTokens sample) : IClassFixture<SampleTokens>
{
    public static TheoryData<string> Garbage =>
    [
        "", " ", "garbage", "a.b", "a.b.c", "a.b.c.d", "....", "!!.!!.!!", "eyJ.eyJ.sig", "e30.e30.", "bnVsbA.e30.c2ln", "W10.e30.c2ln",
        new string('A', 2_000_000), "e30.\u0000.x", "\uD800.e30.x",
    ];

    [Theory]
    [MemberData(nameof(Garbage))]
    public async Task Inspect_Garbage_PrintsMalformedAndExitsNonZero(string token)
    {
        var run = await Ukjwt.RunAsync("inspect", token);

        Assert.NotEqual(0, run.ExitCode);
        Assert.StartsWith(run.ExitCode == 2 ? "ukjwt:" : "malformed: ", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Inspect_SessionToken_ShowsClaimsAndKidPartsButNotTheSignature()
    {
        var token = sample.Tokens["valid"];
        var kid = System.Text.Json.JsonDocument.Parse(System.Buffers.Text.Base64Url.DecodeFromChars(token.Split('.')[0])).RootElement.GetProperty("kid").GetString()!.Split('.');

        var run = await Ukjwt.RunAsync("inspect", token);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("\"typ\": \"at+jwt\"", run.Output, StringComparison.Ordinal);
        Assert.Contains($"\"sub\": \"{SampleHost.Subject(token)}\"", run.Output, StringComparison.Ordinal);
        Assert.Contains($"  secret id    {kid[0]} ", run.Output, StringComparison.Ordinal);
        Assert.Contains($"  fingerprint  {kid[1]} ", run.Output, StringComparison.Ordinal);
        Assert.Contains($"  tag          {kid[2]} ", run.Output, StringComparison.Ordinal);
        Assert.Contains($"session    {SampleTokens.Claim(token, "sid")}", run.Output, StringComparison.Ordinal);
        Assert.Contains("purpose    access (typ at+jwt)", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(token.Split('.')[2], run.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Inspect_Json_HasKidParts()
    {
        var run = await Ukjwt.RunAsync("inspect", sample.Tokens["wrong purpose"], "--json");

        var json = System.Text.Json.JsonDocument.Parse(run.Output).RootElement;
        Assert.Equal("refresh", json.GetProperty("purpose").GetString());
        Assert.Equal(SampleHost.SecretId, json.GetProperty("kid").GetProperty("secretId").GetString());
        Assert.Equal(0, json.GetProperty("claims").GetProperty("gen").GetInt32());
    }

    [Fact]
    public async Task Inspect_AsRealProcess_GarbageExits1()
    {
        var run = await Ukjwt.RunProcessAsync("inspect", "garbage");

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.StartsWith("malformed: ", run.Error, StringComparison.Ordinal);
    }
}
