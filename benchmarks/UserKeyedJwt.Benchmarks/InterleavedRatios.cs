using System.Diagnostics;
using System.Globalization;

namespace UserKeyedJwt.Benchmarks;

/// <summary>
/// A cross-check for BenchmarkDotNet on a machine whose speed drifts: each case runs in short batches alternating with
/// the static-key baseline in the same process, and the ratio is taken per round, so a slow minute slows both sides of a
/// round. Prints the median and the quartiles of the per-round ratios.
/// Run: dotnet run -c Release --project benchmarks/UserKeyedJwt.Benchmarks -- ratios 40
/// </summary>
public static class InterleavedRatios
{
    private const int Batch = 2_000;

    public static async Task RunAsync(int rounds)
    {
        var benchmarks = new ValidationBenchmarks();
        await benchmarks.Setup();
        var cases = new (string Name, Func<Task<bool>> Body)[]
        {
            ("1 user, warm", benchmarks.UserKeyedOneUser),
            ("10^5 users, warm", benchmarks.UserKeyedManyUsers),
            ("cold", benchmarks.UserKeyedCold),
            ("forged subject", benchmarks.RejectForged),
            ("expired", benchmarks.RejectExpired),
            ("expired, key cached", benchmarks.RejectExpiredCached),
        };

        Func<Task<bool>> baseline = benchmarks.StaticKey;
        await TimeAsync(baseline, 20_000);
        foreach (var (_, body) in cases)
        {
            await TimeAsync(body, 20_000); // tiered JIT, caches
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{rounds} rounds of {Batch} calls per side; ratio = case / static key, per round"));
        foreach (var (name, body) in cases)
        {
            var ratios = new double[rounds];
            var baselineMicros = new double[rounds];
            for (var round = 0; round < rounds; round++)
            {
                // Alternate which side goes first, so neither always runs right after a GC of the other.
                var first = round % 2 == 0;
                var a = first ? await TimeAsync(baseline, Batch) : await TimeAsync(body, Batch);
                var b = first ? await TimeAsync(body, Batch) : await TimeAsync(baseline, Batch);
                var (staticTime, caseTime) = first ? (a, b) : (b, a);
                ratios[round] = caseTime / staticTime;
                baselineMicros[round] = staticTime;
            }

            Array.Sort(ratios);
            Array.Sort(baselineMicros);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name,-18} median {ratios[rounds / 2]:F3}  (quartiles {ratios[rounds / 4]:F3}-{ratios[3 * rounds / 4]:F3}; static key median {baselineMicros[rounds / 2]:F2} us)"));
        }
    }

    private static async Task<double> TimeAsync(Func<Task<bool>> body, int calls)
    {
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < calls; i++)
        {
            await body();
        }

        return watch.Elapsed.TotalMicroseconds / calls;
    }
}
