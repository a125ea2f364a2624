// Commands, from the repository root:
//   dotnet run -c Release --project benchmarks/UserKeyedJwt.Benchmarks -- --filter '*' --job short   validation guard rails and issuing (BenchmarkDotNet)
//   dotnet run -c Release --project benchmarks/UserKeyedJwt.Benchmarks -- memory [users]             bytes per cached user (default 100000)
//   dotnet run -c Release --project benchmarks/UserKeyedJwt.Benchmarks -- timing [samples]           unknown user vs bad signature, cold (default 20000)
//   dotnet run -c Release --project benchmarks/UserKeyedJwt.Benchmarks -- steps                      where a warm validation's time goes, step by step
// Any other arguments go to BenchmarkDotNet: --filter '*ValidationBenchmarks*', --job dry, --list flat.
using System.Globalization;
using BenchmarkDotNet.Running;
using UserKeyedJwt.Benchmarks;

switch (args)
{
    case ["memory", .. var rest] when TryCount(rest, 100_000, out var users):
        await MemoryProbe.RunAsync(users);
        return 0;
    case ["timing", .. var rest] when TryCount(rest, 20_000, out var samples):
        await TimingProbe.RunAsync(samples);
        return 0;
    case ["steps", .. var rest]:
        BenchmarkSwitcher.FromTypes([typeof(ValidationStepsBenchmarks)]).Run(["--filter", "*", .. rest]);
        return 0;
    case ["memory" or "timing", ..]:
        await Console.Error.WriteLineAsync("usage: memory [users] | timing [samples], a positive whole number");
        return 2;
    default:
        BenchmarkSwitcher.FromTypes([typeof(ValidationBenchmarks), typeof(IssuingBenchmarks)]).Run(args);
        return 0;
}

static bool TryCount(string[] rest, int fallback, out int count)
{
    count = fallback;
    return rest is [] || (rest is [var n] && int.TryParse(n, NumberStyles.None, CultureInfo.InvariantCulture, out count) && count > 0);
}
