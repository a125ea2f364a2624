using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;

namespace UserKeyedJwt.Tests;

/// <summary>
/// The README's quick start runs as written there: the code between the markers below is the README's block, character for
/// character (checked by the second test), and prints what the block's comments say.
/// </summary>
public class ReadmeQuickStartTests
{
    private const string Begin = "// README quick start: begin";
    private const string End = "// README quick start: end";
    private const string Indent = "        ";

    [Fact]
    public async Task QuickStart_AsWrittenInTheReadme_PrintsTrueThenKeyInputsChanged()
    {
        Console.Lines.Clear();

#pragma warning disable xUnit1051 // The README's code takes no cancellation token.
        // README quick start: begin
        var users = new InMemoryUserKeyInputsSource();                   // or your own IUserKeyInputsSource
        var services = new ServiceCollection()
            .AddSingleton<IUserKeyInputsSource>(users)
            .AddUserKeyedJwt(o =>
            {
                o.Issuer = "https://auth.example.com";
                o.Audience = "api.example.com";
                // A real app reads its secret from a secret store (docs/security.md), never from code.
                o.ServerSecrets.Add(new() { Id = "2026-11", Secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) });
            });
        using var provider = services.BuildServiceProvider();
        var issuer = provider.GetRequiredService<UserKeyedTokenIssuer>();
        var handler = provider.GetRequiredService<UserKeyedTokenHandler>();

        var alice = new UserKeyInputs("alice", securityStamp: "stamp-1", passwordHash: "AQAAAA...");
        users.Set(alice);
        var token = issuer.Issue(alice).Token;
        Console.WriteLine((await handler.ValidateAsync(token)).IsValid);           // True

        users.Set(new UserKeyInputs("alice", "stamp-2", "AQAAAA..."));             // the stamp rotates
        provider.GetRequiredService<IUserKeyCache>().Invalidate("alice");           // the library's helpers do this for you
        Console.WriteLine((await handler.ValidateAsync(token)).FailureReason);     // KeyInputsChanged
        // README quick start: end
#pragma warning restore xUnit1051

        Assert.Equal(["True", "KeyInputsChanged"], Console.Lines);
    }

    [Fact]
    public void QuickStart_InTheReadme_IsTheCodeTheOtherTestRuns()
    {
        var root = RepositoryRoot();
        var readme = Normalize(File.ReadAllText(Path.Combine(root, "README.md")));
        var section = readme[readme.IndexOf("## Quick start", StringComparison.Ordinal)..];
        var start = section.IndexOf("```csharp\n", StringComparison.Ordinal) + "```csharp\n".Length;
        var block = section[start..(section.IndexOf("\n```", start, StringComparison.Ordinal) + 1)];

        var source = Normalize(File.ReadAllText(Path.Combine(root, "tests", "UserKeyedJwt.Tests", "ReadmeQuickStartTests.cs")));
        var from = source.IndexOf(Indent + Begin + "\n", StringComparison.Ordinal) + Indent.Length + Begin.Length + 1;
        var to = source.IndexOf(Indent + End + "\n", from, StringComparison.Ordinal);
        var code = string.Concat(source[from..to].Split('\n').SkipLast(1).Select(line => Dedent(line) + "\n"));

        Assert.Equal(block, code);
    }

    private static string Normalize(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal);

    private static string Dedent(string line) =>
        line.Length == 0 ? line
        : line.StartsWith(Indent, StringComparison.Ordinal) ? line[Indent.Length..]
        : throw new InvalidOperationException($"Quick start line not indented as the method body: '{line}'.");

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "UserKeyedJwt.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No UserKeyedJwt.sln above {AppContext.BaseDirectory}.");
    }

    /// <summary>Stands in for <see cref="System.Console"/> in the quick start, so that the test sees what it prints.</summary>
    private static class Console
    {
        public static List<string> Lines { get; } = [];

        public static void WriteLine(object? value) => Lines.Add(value?.ToString() ?? string.Empty);
    }
}
