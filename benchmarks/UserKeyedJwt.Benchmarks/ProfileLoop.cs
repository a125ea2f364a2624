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
        if (which is "issue" or "issue-static")
        {
            var issuing = new IssuingBenchmarks();
            issuing.Setup();
            Func<string> issue = which == "issue" ? issuing.IssueUserKeyed : issuing.IssueStatic;
            var clock = Stopwatch.StartNew();
            long issued = 0;
            while (clock.Elapsed.TotalSeconds < seconds)
            {
                for (var i = 0; i < 1000; i++)
                {
                    issue();
                }

                issued += 1000;
            }

            Console.WriteLine($"{which}: {issued} calls, {clock.Elapsed.TotalMilliseconds * 1000 / issued:F2} us/call");
            return;
        }

        var benchmarks = new ValidationBenchmarks();
        await benchmarks.Setup();
        Func<Task<bool>> body = which switch
        {
            "one" => benchmarks.UserKeyedOneUser,
            "many" => benchmarks.UserKeyedManyUsers,
            "static" => benchmarks.StaticKey,
            "cold" => benchmarks.UserKeyedCold,
            "forged" => benchmarks.RejectForged,
            _ => throw new ArgumentException("one | many | static | cold | forged | issue | issue-static", nameof(which)),
        };

        for (var i = 0; i < 20_000; i++)
        {
            await body(); // warm-up: tiered JIT, caches
        }

        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
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

        // CPU time as well as wall time: on a shared machine, time spent waiting for a core inflates the wall figure only.
        var cpuUs = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds * 1000 / calls;
        Console.WriteLine($"{which}: {calls} calls, {watch.Elapsed.TotalMilliseconds * 1000 / calls:F2} us/call wall, {cpuUs:F2} us/call CPU");
    }
}
