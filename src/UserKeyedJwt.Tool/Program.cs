namespace UserKeyedJwt.Tool;

/// <summary>The entry point of <c>ukjwt</c>. Not top-level statements: a global <c>Program</c> would clash with the sample's in tests.</summary>
internal static class Program
{
    public static Task<int> Main(string[] args) => Cli.RunAsync(args, Console.Out, Console.Error);
}
