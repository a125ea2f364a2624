using System.Text.RegularExpressions;

namespace UserKeyedJwt.AspNetCore.Tests.Packaging;

/// <summary>
/// Each package's readme is src/X/README.md (packed by src/Directory.Build.props): a package page shows it away from the
/// repository, so its links are absolute. scripts/pack-smoke.sh builds and runs UserKeyedJwt.AspNetCore's example in a
/// fresh app; the core's example is the repository README's quick start, which ReadmeQuickStartTests runs.
/// </summary>
public sealed partial class PackageReadmeTests
{
    [Fact]
    public void PackageReadmes_OfEveryProjectUnderSrc_ExistAndLinkOnlyToAbsoluteUrls()
    {
        var root = RepositoryRoot();
        var projects = Directory.GetFiles(Path.Combine(root, "src"), "*.csproj", SearchOption.AllDirectories);
        Assert.NotEmpty(projects);

        var problems = new List<string>();
        foreach (var project in projects)
        {
            var readme = Path.Combine(Path.GetDirectoryName(project)!, "README.md");
            if (!File.Exists(readme))
            {
                problems.Add($"{Path.GetFileName(project)}: no README.md");
                continue;
            }

            var text = File.ReadAllText(readme);
            problems.AddRange(MarkdownLink().Matches(text)
                .Select(m => m.Groups["target"].Value)
                .Where(target => !target.StartsWith("https://", StringComparison.Ordinal))
                .Select(target => $"{Path.GetFileName(project)}: relative link '{target}'"));
            if (!text.Contains("dotnet add package " + Path.GetFileNameWithoutExtension(project), StringComparison.Ordinal)
                && !text.Contains("dotnet tool install", StringComparison.Ordinal))
            {
                problems.Add($"{Path.GetFileName(project)}: no install line");
            }
        }

        Assert.Empty(problems);
    }

    [Fact]
    public void CoreReadme_MinimalExample_IsTheRepositoryReadmesTestedQuickStart()
    {
        var root = RepositoryRoot();

        var package = FirstCSharpBlock(File.ReadAllText(Path.Combine(root, "src", "UserKeyedJwt", "README.md")), "## Minimal example");
        var repository = FirstCSharpBlock(File.ReadAllText(Path.Combine(root, "README.md")), "## Quick start");

        Assert.Equal(repository, package);
    }

    private static string FirstCSharpBlock(string markdown, string heading)
    {
        var text = markdown.Replace("\r\n", "\n", StringComparison.Ordinal);
        var section = text[text.IndexOf(heading, StringComparison.Ordinal)..];
        var start = section.IndexOf("```csharp\n", StringComparison.Ordinal) + "```csharp\n".Length;
        return section[start..section.IndexOf("\n```", start, StringComparison.Ordinal)];
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "UserKeyedJwt.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("UserKeyedJwt.sln not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"\]\((?<target>[^)\s]+)\)")]
    private static partial Regex MarkdownLink();
}
