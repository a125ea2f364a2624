using UserKeyedJwt.AspNetCore.Tests.Support;
using UserKeyedJwt.ScaleOut.Tests.Support;

namespace UserKeyedJwt.AspNetCore.Tests.Docs;

/// <summary>
/// The docs' curl walkthroughs run as a reader runs them: bash, from a folder laid out like the repository root (the
/// sample's mail folder where the docs read it), against the sample on Kestrel loopback; every output the docs show is checked.
/// </summary>
public sealed class DocsWalkthroughTests
{
    private const string DocumentedBaseUrl = "http://localhost:5080";
    private const string Heading = "### Walk through it with curl";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public Task AspNetCoreMd_WalkThroughWithCurl_EveryStepPrintsWhatTheDocShows() => RunAsync("aspnetcore.md");

    [Fact]
    public Task SessionsMd_WalkThroughWithCurl_EveryStepPrintsWhatTheDocShows() => RunAsync("sessions.md");

    [Fact]
    public async Task Run_AShownOutputThatIsWrong_IsReportedWithItsLine()
    {
        RequireTools("bash");
        var walkthrough = ShellWalkthrough.FromMarkdown(
            """
            ### Try

            ```sh
            # A comment, then two steps.
            X=$(echo 204)
            echo "$X"
            # → 201
            echo '{"id":"5f0c9","roles":[]}'
            # → {"id":"...","roles":[]}
            ```
            """,
            "test.md",
            "### Try");

        var problems = await walkthrough.RunAsync(Path.GetTempPath(), DocumentedBaseUrl, DocumentedBaseUrl, Timeout);

        var problem = Assert.Single(problems);
        Assert.Contains("test.md, line 6: `echo \"$X\"`", problem, StringComparison.Ordinal);
        Assert.Contains("the doc shows:\n    201\n  it printed:\n    204", problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_ACommandThatPrintsWhatTheDocDoesNotShow_IsReported()
    {
        RequireTools("bash");
        var walkthrough = ShellWalkthrough.FromMarkdown("## W\n```bash\necho hidden\n```\n## Next\n```sh\necho other\n```\n", "test.md", "## W");

        var problems = await walkthrough.RunAsync(Path.GetTempPath(), DocumentedBaseUrl, DocumentedBaseUrl, Timeout);

        Assert.Single(walkthrough.Steps);
        Assert.Contains("the doc shows:\n    (nothing)\n  it printed:\n    hidden", Assert.Single(problems), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_ACommandThatFails_StopsTheWalkthroughAndIsReported()
    {
        RequireTools("bash");
        var walkthrough = ShellWalkthrough.FromMarkdown("## W\n```sh\nfalse\necho after\n# → after\n```\n", "test.md", "## W");

        var problems = await walkthrough.RunAsync(Path.GetTempPath(), DocumentedBaseUrl, DocumentedBaseUrl, Timeout);

        Assert.Contains("never ran", Assert.Single(problems), StringComparison.Ordinal);
    }

    private static async Task RunAsync(string doc)
    {
        RequireTools("bash", "curl", "python3");
        var walkthrough = ShellWalkthrough.FromMarkdownFile(Path.Combine(RepositoryRoot(), "docs", doc), Heading);

        // The reader's working directory is the repository root, where the sample writes its mail: the same layout here.
        var root = Path.Combine(Path.GetTempPath(), $"ukjwt-docs-{Guid.NewGuid():N}");
        var mail = Path.Combine(root, "samples", "UserKeyedJwt.Sample", "mail-pickup");
        Directory.CreateDirectory(mail);
        try
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            await using var app = SampleApp.Create(new Dictionary<string, string?> { ["Sample:MailPickupFolder"] = mail });
            app.UseKestrel(0);
            app.StartServer();
            var baseUrl = app.ClientOptions.BaseAddress.ToString().TrimEnd('/');
            var started = clock.Elapsed;

            var problems = await walkthrough.RunAsync(root, DocumentedBaseUrl, baseUrl, Timeout);
            TestContext.Current.TestOutputHelper?.WriteLine($"The sample started in {started.TotalSeconds:F1} s; the {walkthrough.Steps.Count} steps ran in {(clock.Elapsed - started).TotalSeconds:F1} s.");

            Assert.True(problems.Count == 0, string.Join("\n\n", problems));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static void RequireTools(params string[] tools)
    {
        foreach (var tool in tools)
        {
            if (Requirement.FindOnPath(tool) is null)
            {
                Requirement.Missing($"The docs' walkthroughs need {tool} on the PATH.");
            }
        }
    }

    internal static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "UserKeyedJwt.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("The repository root (UserKeyedJwt.sln) is not above the test binaries.");
    }
}
