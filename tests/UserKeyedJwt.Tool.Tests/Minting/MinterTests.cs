using UserKeyedJwt.Tool.Tests.Support;

namespace UserKeyedJwt.Tool.Tests.Minting;

/// <summary>
/// <c>ukjwt mint</c> signs only with a development secret in the Development environment; its tokens are the app's own
/// (the fixture shows the sample accepting one).
/// </summary>
public sealed class MinterTests(SampleTokens sample) : IClassFixture<SampleTokens>
{
    [Fact]
    public async Task Mint_FromDatabase_TokenExplainsAsValid()
    {
        var token = sample.Tokens["minted"];
        var run = await Ukjwt.RunAsync(["explain", token, .. sample.Database]);

        // Valid until the fixture logged it out on its own: the tool's token is one the app accepts and denylists.
        Assert.StartsWith("rejected at revoked: this very token", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("\"sid\"", System.Text.Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(token.Split('.')[1])), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mint_GivenInputs_IssuesTokenWithClaimsAndLifetime()
    {
        var run = await Ukjwt.RunAsync(["mint", "someone", "--security-stamp", "STAMP", "--lifetime", "00:02:00", "--claim", "role=tester", .. sample.Offline]);

        Assert.Equal(0, run.ExitCode);
        var token = run.Output.Trim();
        Assert.Equal("someone", SampleTokens.Claim(token, "sub"));
        Assert.Equal("tester", SampleTokens.Claim(token, "role"));
        Assert.Equal(120, long.Parse(SampleTokens.Claim(token, "exp"), System.Globalization.CultureInfo.InvariantCulture) - long.Parse(SampleTokens.Claim(token, "iat"), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Contains("under development secret 'test' (from appsettings.Development.json)", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("STAMP", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mint_ProductionEnvironment_RefusesWithExitCode2()
    {
        var run = await Ukjwt.RunAsync("mint", "someone", "--security-stamp", "s", "--project", sample.Host.ProjectDirectory, "--environment", "Production");

        Assert.Equal(2, run.ExitCode);
        Assert.Equal("", run.Output);
        Assert.Contains("mint signs with development secrets only, and the environment is Production", run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("appsettings.json", "appsettings.json")]
    [InlineData("environment", "an environment variable")]
    public async Task Mint_SecretFromSharedSource_RefusesEvenInDevelopment(string where, string named)
    {
        var project = Directory.CreateTempSubdirectory("ukjwt-tool-shared-").FullName;
        var variable = $"UKJWT_TEST_{Guid.NewGuid():N}";
        try
        {
            SampleHost.WriteSettings(project, "appsettings.json", "shared", sample.Host.ServerSecret);
            File.WriteAllText(Path.Combine(project, "appsettings.Development.json"), """{"UserKeyedJwt":{"Issuer":"https://i.example","Audience":"a"}}""");
            string[] section = [];
            if (where == "environment")
            {
                // A section of its own, so that no other test's settings see the variable.
                Environment.SetEnvironmentVariable($"{variable}__ServerSecrets__0__Id", "shared");
                Environment.SetEnvironmentVariable($"{variable}__ServerSecrets__0__Secret", sample.Host.ServerSecret);
                Environment.SetEnvironmentVariable($"{variable}__Issuer", "https://i.example");
                Environment.SetEnvironmentVariable($"{variable}__Audience", "a");
                section = ["--section", variable];
            }

            var run = await Ukjwt.RunAsync(["mint", "someone", "--security-stamp", "s", "--project", project, "--environment", "Development", .. section]);

            Assert.Equal(2, run.ExitCode);
            Assert.Equal("", run.Output);
            Assert.Contains($"mint refuses to sign with server secret 'shared': it is set by {named}", run.Error, StringComparison.Ordinal);
            Assert.DoesNotContain(sample.Host.ServerSecret, run.Error, StringComparison.Ordinal);
        }
        finally
        {
            foreach (var name in new[] { "ServerSecrets__0__Id", "ServerSecrets__0__Secret", "Issuer", "Audience" })
            {
                Environment.SetEnvironmentVariable($"{variable}__{name}", null);
            }

            Directory.Delete(project, recursive: true);
        }
    }

    [Fact]
    public async Task Mint_DevSecretFile_SignsWhenNoSecretIsConfigured()
    {
        var project = Directory.CreateTempSubdirectory("ukjwt-tool-devfile-").FullName;
        try
        {
            File.Copy(Path.Combine(sample.Host.ProjectDirectory, "appsettings.json"), Path.Combine(project, "appsettings.json"));
            var file = Path.Combine(project, ".dev-secret");
            File.WriteAllText(file, sample.Host.ServerSecret);

            var minted = await Ukjwt.RunAsync("mint", "someone", "--security-stamp", "s", "--project", project, "-e", "Development", "--dev-secret-file", file, "--dev-secret-id", "test");
            var explained = await Ukjwt.RunAsync(["explain", minted.Output.Trim(), .. sample.Offline]);

            Assert.Equal(0, minted.ExitCode);
            Assert.Contains("(from --dev-secret-file)", minted.Error, StringComparison.Ordinal);
            Assert.StartsWith("passes every check that needs no database", explained.Output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(project, recursive: true);
        }
    }

    [Fact]
    public async Task Mint_SecretInUserSecrets_SignsInDevelopmentOnly()
    {
        var project = Directory.CreateTempSubdirectory("ukjwt-tool-usersecrets-").FullName;
        var id = $"ukjwt-tests-{Guid.NewGuid():N}";
        var secrets = Path.GetDirectoryName(Microsoft.Extensions.Configuration.UserSecrets.PathHelper.GetSecretsPathFromSecretsId(id))!;
        try
        {
            File.Copy(Path.Combine(sample.Host.ProjectDirectory, "appsettings.json"), Path.Combine(project, "appsettings.json"));
            File.WriteAllText(Path.Combine(project, "App.csproj"), $"<Project Sdk=\"Microsoft.NET.Sdk.Web\"><PropertyGroup><UserSecretsId>{id}</UserSecretsId></PropertyGroup></Project>");
            Directory.CreateDirectory(secrets);
            SampleHost.WriteSettings(secrets, "secrets.json", "mine", sample.Host.ServerSecret);

            var development = await Ukjwt.RunAsync("mint", "someone", "--security-stamp", "s", "--project", project, "-e", "Development");
            var staging = await Ukjwt.RunAsync("mint", "someone", "--security-stamp", "s", "--project", project, "-e", "Staging");

            Assert.Equal(0, development.ExitCode);
            Assert.Contains("under development secret 'mine' (from user secrets)", development.Error, StringComparison.Ordinal);
            Assert.Equal(2, staging.ExitCode);
        }
        finally
        {
            Directory.Delete(project, recursive: true);
            if (Directory.Exists(secrets))
            {
                Directory.Delete(secrets, recursive: true);
            }
        }
    }

    [Fact]
    public async Task Mint_NoInputs_IsUsageError()
    {
        var run = await Ukjwt.RunAsync(["mint", "someone", .. sample.Offline]);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("mint needs the user's key inputs", run.Error, StringComparison.Ordinal);
    }
}
