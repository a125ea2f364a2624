using UserKeyedJwt.Tool.Tests.Support;

namespace UserKeyedJwt.Tool.Tests;

/// <summary>The command line itself: help, and usage errors with exit code 2.</summary>
public sealed class CliTests
{
    [Fact]
    public async Task Run_Help_ListsTheThreeCommandsAndExits0()
    {
        var run = await Ukjwt.RunAsync("--help");

        Assert.Equal(0, run.ExitCode);
        foreach (var command in new[] { "inspect <token>", "explain <token>", "mint <user-id>" })
        {
            Assert.Contains(command, run.Output, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData]
    [InlineData("explain")]
    [InlineData("inspect", "a", "b")]
    [InlineData("frobnicate")]
    [InlineData("explain", "x", "--purpose", "sideways")]
    [InlineData("explain", "x", "--connection-string", "a", "--connection-name", "b")]
    [InlineData("explain", "x", "--project", "/nonexistent/ukjwt")]
    public async Task Run_UsageError_Exits2WithAMessage(params string[] args)
    {
        var run = await Ukjwt.RunAsync(args);

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith("ukjwt: ", run.Error, StringComparison.Ordinal);
    }
}
