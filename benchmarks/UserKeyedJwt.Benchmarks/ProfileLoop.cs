using System.Diagnostics;

namespace UserKeyedJwt.Benchmarks;

/// <summary>
/// A plain loop for a profiler to sample: validates for a number of seconds in one of the benchmark cases.
/// Run: dotnet-trace collect -o trace.nettrace -- dotnet benchmarks/UserKeyedJwt.Benchmarks/bin/Release/net10.0/UserKeyedJwt.Benchmarks.dll profile many 20
/// then: dotnet-trace convert trace.nettrace --format speedscope; python3 scripts/speedscope-top.py trace.speedscope.json
/// </summary>
public static class ProfileLoop
{
    public static async Task RunAsync(string which, int seconds)
    {
        var benchmarks = new ValidationBenchmarks();
        await benchmarks.Setup();
        Func<Task<bool>> body = which switch
        {
            "one" => benchmarks.UserKeyedOneUser,
            "many" => benchmarks.UserKeyedManyUsers,
            "static" => benchmarks.StaticKey,
            "cold" => benchmarks.UserKeyedCold,
            "forged" => benchmarks.RejectForged,
            _ => throw new ArgumentException("one | many | static | cold | forged", nameof(which)),
        };

        var watch = Stopwatch.StartNew();
        long calls = 0;
        while (watch.Elapsed.TotalSeconds < seconds)
        {
            for (var i = 0; i < 1000; i++)
            {
                await body();
            }

            calls += 1000;
        }

        Console.WriteLine($"{which}: {calls} calls, {watch.Elapsed.TotalMilliseconds * 1000 / calls:F2} us/call");
    }
}
