using System.Diagnostics;

namespace UserKeyedJwt.Tool.Tests.Support;

/// <summary>Runs the tool: in process through its entry point with captured output, or as a real <c>dotnet ukjwt.dll</c> process.</summary>
public static class Ukjwt
{
    public static async Task<ToolRun> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await Cli.RunAsync(args, output, error, TestContext.Current.CancellationToken);
        return new ToolRun(exit, output.ToString(), error.ToString());
    }

    public static async Task<ToolRun> RunProcessAsync(params string[] args)
    {
        var dll = typeof(Cli).Assembly.Location;
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return new ToolRun(process.ExitCode, await output, await error);
    }
}

/// <summary>One run of the tool: its exit code and what it printed.</summary>
public sealed record ToolRun(int ExitCode, string Output, string Error)
{
    public string All => Output + Error;

    public override string ToString() => $"exit {ExitCode}\n{Output}{Error}";
}
