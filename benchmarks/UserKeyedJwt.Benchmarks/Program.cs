using BenchmarkDotNet.Running;
using UserKeyedJwt.Benchmarks;

if (args is ["memory", ..])
{
    await MemoryProbe.RunAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 100_000);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
