using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace UserKeyedJwt.AspNetCore.Tests.Docs;

/// <summary>
/// A shell walkthrough as a doc shows it: the <c>```sh</c> and <c>```bash</c> blocks of one section of a markdown file, run
/// in order by one bash, and the output the doc shows for each command. The doc's convention: a <c># → text</c> line shows
/// one line that the commands above it print, <c>...</c> in it stands for any text, and a command with no such line below
/// it prints nothing. Nothing of the commands is copied here: the doc is the only source.
/// </summary>
public sealed partial class ShellWalkthrough
{
    private const string Shown = "# →";
    private const string StepMarker = "\u001e";

    private ShellWalkthrough(string source, IReadOnlyList<Step> steps)
    {
        Source = source;
        Steps = steps;
    }

    /// <summary>Where the walkthrough comes from, for messages: the file and the section.</summary>
    public string Source { get; }

    public IReadOnlyList<Step> Steps { get; }

    /// <summary>The walkthrough of the section under <paramref name="heading"/> (the whole heading line) of <paramref name="path"/>.</summary>
    public static ShellWalkthrough FromMarkdownFile(string path, string heading) =>
        FromMarkdown(File.ReadAllText(path), $"{Path.GetFileName(path)} \"{heading}\"", heading);

    public static ShellWalkthrough FromMarkdown(string markdown, string source, string heading)
    {
        var lines = markdown.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var start = Array.IndexOf(lines, heading);
        if (start < 0)
        {
            throw new InvalidOperationException($"{source}: no line is the heading '{heading}'.");
        }

        var level = heading.TakeWhile(c => c == '#').Count();
        var steps = new List<Step>();
        var commands = new List<(int Line, string Text)>();
        var shown = new List<string>();
        var inFence = false;
        var isShell = false;
        for (var i = start + 1; i < lines.Length; i++)
        {
            var line = lines[i];
            if (line.StartsWith("```", StringComparison.Ordinal))
            {
                var info = line[3..].Trim();
                isShell = !inFence && info is "sh" or "bash";
                inFence = !inFence;
                continue;
            }

            if (!inFence && HeadingLevel(line) is > 0 and var other && other <= level)
            {
                break;
            }

            if (!inFence || !isShell)
            {
                continue;
            }

            if (line.StartsWith(Shown, StringComparison.Ordinal))
            {
                if (commands.Count == 0 && shown.Count == 0)
                {
                    throw new InvalidOperationException($"{source}, line {i + 1}: '{line}' shows output, but no command is above it.");
                }

                shown.Add(line[Shown.Length..].TrimStart(' '));
                continue;
            }

            // Output shown, then a new command: the step above is complete.
            if (shown.Count > 0)
            {
                steps.Add(new Step(commands, shown));
                commands = [];
                shown = [];
            }

            if (line.Trim().Length > 0 && !line.TrimStart().StartsWith('#'))
            {
                commands.Add((i + 1, line));
            }
            else if (commands.Count > 0 && commands[^1].Text.EndsWith('\\'))
            {
                throw new InvalidOperationException($"{source}, line {i + 1}: a continued command ends at a blank or comment line.");
            }
        }

        if (commands.Count > 0 || shown.Count > 0)
        {
            steps.Add(new Step(commands, shown));
        }

        if (steps.Count == 0)
        {
            throw new InvalidOperationException($"{source}: the section has no shell command.");
        }

        return new ShellWalkthrough(source, steps);
    }

    /// <summary>
    /// Runs the walkthrough in <paramref name="workingDirectory"/> with bash, the doc's <paramref name="documentedBaseUrl"/>
    /// replaced by <paramref name="baseUrl"/>, and returns every step whose output differs from what the doc shows.
    /// </summary>
    public async Task<IReadOnlyList<string>> RunAsync(string workingDirectory, string documentedBaseUrl, string baseUrl, TimeSpan timeout)
    {
        var script = new StringBuilder("set -eu -o pipefail\n");
        foreach (var step in Steps)
        {
            foreach (var (_, text) in step.Commands)
            {
                script.Append(text.Replace(documentedBaseUrl, baseUrl, StringComparison.Ordinal)).Append('\n');
            }

            script.Append(@"printf '\n\036\n'").Append('\n');
        }

        var (exitCode, stdout, stderr) = await BashAsync(script.ToString(), workingDirectory, timeout);
        var outputs = stdout.Split($"\n{StepMarker}\n");
        var problems = new List<string>();
        for (var i = 0; i < Steps.Count; i++)
        {
            var step = Steps[i];
            if (i >= outputs.Length - 1)
            {
                problems.Add($"{Source}, line {step.Line}: `{step.Command}` never ran: bash stopped (exit code {exitCode}) before it.\n  stderr:\n{Indent(stderr)}");
                break;
            }

            var printed = Lines(outputs[i]);
            if (!step.Matches(printed))
            {
                // A token in a message helps no one: the doc shows "eyJ..." for each.
                var readable = printed.Select(line => Jws().Replace(line, "eyJ<token>"));
                problems.Add($"{Source}, line {step.Line}: `{step.Command}`\n  the doc shows:\n{Indent(step.Shown)}\n  it printed:\n{Indent(readable)}");
            }
        }

        if (problems.Count == 0 && exitCode != 0)
        {
            problems.Add($"{Source}: bash exited with {exitCode}.\n  stderr:\n{Indent(stderr)}");
        }

        return problems;
    }

    private static int HeadingLevel(string line)
    {
        var hashes = line.TakeWhile(c => c == '#').Count();
        return hashes is > 0 and <= 6 && line.Length > hashes && line[hashes] == ' ' ? hashes : 0;
    }

    private static List<string> Lines(string output)
    {
        var trimmed = output.TrimEnd('\n', '\r', ' ');
        return trimmed.Length == 0 ? [] : [.. trimmed.Split('\n').Select(line => line.TrimEnd('\r'))];
    }

    private static string Indent(IEnumerable<string> lines) => string.Join('\n', lines.DefaultIfEmpty("(nothing)").Select(line => "    " + line));

    private static string Indent(string text) => Indent(Lines(text));

    private static async Task<(int ExitCode, string Stdout, string Stderr)> BashAsync(string script, string workingDirectory, TimeSpan timeout)
    {
        var start = new ProcessStartInfo("bash", ["--noprofile", "--norc", "-s"])
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var bash = Process.Start(start) ?? throw new InvalidOperationException("bash did not start.");
        var stdout = bash.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = bash.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await bash.StandardInput.WriteAsync(script);
        bash.StandardInput.Close();
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            await bash.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            bash.Kill(entireProcessTree: true);
            throw new TimeoutException($"The walkthrough did not finish within {timeout}. Output so far:\n{await stdout}\n{await stderr}");
        }

        return (bash.ExitCode, await stdout, await stderr);
    }

    /// <summary>One or more commands, and the lines the doc shows below them.</summary>
    public sealed class Step(IReadOnlyList<(int Line, string Text)> commands, IReadOnlyList<string> shown)
    {
        public IReadOnlyList<(int Line, string Text)> Commands { get; } = commands;

        public IReadOnlyList<string> Shown { get; } = shown;

        /// <summary>The doc's line number of the step's last command.</summary>
        public int Line => Commands.Count > 0 ? Commands[LastCommandStart].Line : 0;

        /// <summary>The step's last command, continuation lines joined, as messages name it.</summary>
        public string Command => string.Join(' ', Commands.Skip(LastCommandStart).Select(c => c.Text.Trim().TrimEnd('\\').Trim()));

        private int LastCommandStart
        {
            get
            {
                var i = Commands.Count - 1;
                while (i > 0 && Commands[i - 1].Text.EndsWith('\\'))
                {
                    i--;
                }

                return Math.Max(i, 0);
            }
        }

        public bool Matches(IReadOnlyList<string> printed) =>
            printed.Count == Shown.Count && Shown.Zip(printed).All(pair => Pattern(pair.First).IsMatch(pair.Second));

        private static Regex Pattern(string shown) =>
            new("^" + Regex.Escape(shown).Replace(@"\.\.\.", ".*", StringComparison.Ordinal) + "$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
    }

    [GeneratedRegex(@"eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")]
    private static partial Regex Jws();
}
