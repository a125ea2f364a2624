using UserKeyedJwt.Tool.Tests.Support;

namespace UserKeyedJwt.Tool.Tests.Explaining;

/// <summary>
/// <c>ukjwt explain</c> against the sample's real database and real tokens: one of each verdict, each naming the step that
/// rejects it, with the exit code, and never printing a secret, hash, stamp or the token's signature.
/// </summary>
public sealed class ExplainerTests(SampleTokens sample) : IClassFixture<SampleTokens>
{
    public static TheoryData<string, string, string, string> Verdicts => new()
    {
        { "valid", "valid: an access token of user", "", "" },
        { "wrong purpose", "rejected at wrong purpose: this is a refresh token", "purpose", "WrongPurpose" },
        { "expired", "rejected at expired: it expired at", "lifetime", "Expired" },
        { "not yet valid", "rejected at not yet valid: it is valid only from", "lifetime", "NotYetValid" },
        { "forged tag", "rejected at forged tag: the kid's MAC tag does not verify", "kid tag", "InvalidKidTag" },
        { "unknown user", "rejected at unknown user: no user", "user", "UnknownUser" },
        { "revoked: session", "rejected at revoked: its session", "session", "SessionEnded" },
        { "revoked: key inputs", "rejected at revoked: the user's key inputs changed since issuance", "key inputs", "KeyInputsChanged" },
        { "revoked: denylist", "rejected at revoked: this very token", "denylist", "TokenRevoked" },
        { "tampered", "rejected at tampered: the signature does not verify", "signature", "InvalidSignature" },
    };

    [Theory]
    [MemberData(nameof(Verdicts))]
    public async Task Explain_TokenOfEachVerdict_NamesTheStepAndExitCode(string name, string verdict, string rejectedStep, string reason)
    {
        var token = sample.Tokens[name];

        var run = await Ukjwt.RunAsync(["explain", token, .. sample.Database]);

        Assert.StartsWith(verdict, run.Output, StringComparison.Ordinal);
        Assert.Equal(name == "valid" ? 0 : 1, run.ExitCode);
        if (rejectedStep.Length > 0)
        {
            Assert.Contains($"  {rejectedStep,-11} rejected", run.Output, StringComparison.Ordinal);
            Assert.Contains($"the library's reason: {reason},", run.Output, StringComparison.Ordinal);
        }

        await AssertNoSecretsAsync(run, token);
    }

    [Fact]
    public async Task Explain_Garbage_IsMalformedWithExitCode1()
    {
        var run = await Ukjwt.RunAsync(["explain", "not-a-token", .. sample.Database]);

        Assert.StartsWith("rejected at malformed: not a token this server issues: a compact JWS has 3 segments", run.Output, StringComparison.Ordinal);
        Assert.Equal(1, run.ExitCode);
    }

    [Fact]
    public async Task Explain_ForeignIssuer_SaysWhichIssuer()
    {
        var token = SampleTokens.WithClaim(sample.Tokens["valid"], "iss", "https://elsewhere.example");

        var run = await Ukjwt.RunAsync(["explain", token, .. sample.Database]);

        Assert.StartsWith("rejected at malformed: not a token this server issues: its issuer is 'https://elsewhere.example', the app's is 'https://sample.userkeyedjwt.local'.", run.Output, StringComparison.Ordinal);
        Assert.Equal(1, run.ExitCode);
    }

    [Fact]
    public async Task Explain_RefreshTokenAsRefresh_IsValid()
    {
        var run = await Ukjwt.RunAsync(["explain", sample.Tokens["wrong purpose"], "--purpose", "refresh", .. sample.Database]);

        Assert.StartsWith("valid: a refresh token of user", run.Output, StringComparison.Ordinal);
        Assert.Equal(0, run.ExitCode);
    }

    [Fact]
    public async Task Explain_SecretRemovedFromRing_IsUnknownSecret()
    {
        // The kill switch: the app's ring now holds only a new secret.
        var project = Directory.CreateTempSubdirectory("ukjwt-tool-rotated-").FullName;
        try
        {
            File.Copy(Path.Combine(sample.Host.ProjectDirectory, "appsettings.json"), Path.Combine(project, "appsettings.json"));
            SampleHost.WriteSettings(project, "appsettings.Development.json", "next", Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)));

            var run = await Ukjwt.RunAsync(["explain", sample.Tokens["valid"], "--project", project, "--environment", "Development", "--connection-string", sample.Host.ConnectionString]);

            Assert.StartsWith("rejected at unknown secret: its kid names server secret 'test', which is not in the app's ring ('next')", run.Output, StringComparison.Ordinal);
            Assert.Equal(1, run.ExitCode);
        }
        finally
        {
            Directory.Delete(project, recursive: true);
        }
    }

    [Fact]
    public async Task Explain_WithoutDatabase_ChecksOnlyWhatNeedsNoUser()
    {
        var passes = await Ukjwt.RunAsync(["explain", sample.Tokens["revoked: key inputs"], .. sample.Offline]);
        var fails = await Ukjwt.RunAsync(["explain", sample.Tokens["forged tag"], .. sample.Offline]);

        Assert.StartsWith("passes every check that needs no database", passes.Output, StringComparison.Ordinal);
        Assert.Contains("  user        not checked", passes.Output, StringComparison.Ordinal);
        Assert.Equal(0, passes.ExitCode);
        Assert.StartsWith("rejected at forged tag:", fails.Output, StringComparison.Ordinal);
        Assert.Equal(1, fails.ExitCode);
    }

    [Fact]
    public async Task Explain_DatabaseMissing_IsStoreUnavailableWithExitCode2AndCreatesNothing()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"ukjwt-missing-{Guid.NewGuid():N}.db");

        var run = await Ukjwt.RunAsync(["explain", sample.Tokens["valid"], .. sample.Offline, "--connection-string", $"Data Source={missing}"]);

        Assert.StartsWith("store unavailable: the database could not be read", run.Output, StringComparison.Ordinal);
        Assert.Equal(2, run.ExitCode);
        Assert.False(File.Exists(missing));
    }

    [Fact]
    public async Task Explain_ConnectionNameOfTheApp_ReadsTheAppsConnectionString()
    {
        var project = Directory.CreateTempSubdirectory("ukjwt-tool-named-").FullName;
        try
        {
            File.Copy(Path.Combine(sample.Host.ProjectDirectory, "appsettings.Development.json"), Path.Combine(project, "appsettings.Development.json"));
            await sample.Host.BackupAsync(Path.Combine(project, "copy.db"));
            File.WriteAllText(Path.Combine(project, "appsettings.json"), File.ReadAllText(Path.Combine(sample.Host.ProjectDirectory, "appsettings.json")).Replace("userkeyedjwt-sample.db", "copy.db", StringComparison.Ordinal));

            var run = await Ukjwt.RunAsync(["explain", sample.Tokens["valid"], "--project", project, "--environment", "Development", "--connection-name", "Sample"]);

            Assert.StartsWith("valid:", run.Output, StringComparison.Ordinal);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(project, recursive: true);
        }
    }

    [Fact]
    public async Task Explain_AsRealProcess_RevokedTokenExits1WithTheStep()
    {
        var run = await Ukjwt.RunProcessAsync(["explain", sample.Tokens["revoked: key inputs"], .. sample.Database]);

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.StartsWith("rejected at revoked: the user's key inputs changed since issuance", run.Output, StringComparison.Ordinal);
        await AssertNoSecretsAsync(run, sample.Tokens["revoked: key inputs"]);
    }

    [Fact]
    public async Task Explain_Json_CarriesStepAndReason()
    {
        var run = await Ukjwt.RunAsync(["explain", sample.Tokens["tampered"], "--json", .. sample.Database]);

        var json = System.Text.Json.JsonDocument.Parse(run.Output).RootElement;
        Assert.Equal("rejected", json.GetProperty("verdict").GetString());
        Assert.Equal("tampered", json.GetProperty("step").GetString());
        Assert.Equal("InvalidSignature", json.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Explain_InvalidSettings_NamesTheSettingWithExitCode2()
    {
        var project = Directory.CreateTempSubdirectory("ukjwt-tool-empty-").FullName;
        try
        {
            var run = await Ukjwt.RunAsync(["explain", sample.Tokens["valid"], "--project", project]);

            Assert.Equal(2, run.ExitCode);
            Assert.Contains("UserKeyedJwt:ServerSecrets", run.Error, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(project, recursive: true);
        }
    }

    private async Task AssertNoSecretsAsync(ToolRun run, string token)
    {
        var secrets = await sample.Host.StoredSecretsAsync();
        secrets.Add(token.Split('.')[2]);
        foreach (var secret in secrets.Where(s => s.Length >= 12))
        {
            Assert.DoesNotContain(secret, run.All, StringComparison.Ordinal);
        }
    }
}
