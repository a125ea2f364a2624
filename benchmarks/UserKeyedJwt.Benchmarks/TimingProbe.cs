using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;

namespace UserKeyedJwt.Benchmarks;

/// <summary>
/// Timing side channel: per-call durations of <see cref="UserKeyedTokenHandler.ValidateAsync"/>, with no key cache, for a genuine
/// token whose subject the store no longer knows versus a known subject's token with a bad signature. Both pass the checks that
/// need no I/O, read the store and derive a key; the handler is meant to make them cost the same. Calls alternate in random
/// order; prints the medians and the Mann-Whitney z, and asserts nothing about them.
/// Run: dotnet run -c Release --project benchmarks/UserKeyedJwt.Benchmarks -- timing 20000
/// </summary>
public static class TimingProbe
{
    private const int WarmUpPairs = 2_000;

    public static async Task RunAsync(int samples)
    {
        var store = new InMemoryUserKeyInputsSource();
        var source = new CountingSource(store);
        await using var provider = BenchmarkHost.Build(source, cacheSize: 0);
        var handler = provider.GetRequiredService<UserKeyedTokenHandler>();
        var issuer = provider.GetRequiredService<UserKeyedTokenIssuer>();

        var known = BenchmarkHost.NewUser();
        var gone = BenchmarkHost.NewUser();
        store.Set(known);
        store.Set(gone);
        var knownToken = issuer.Issue(known, BenchmarkHost.Claims()).Token;
        var goneToken = issuer.Issue(gone, BenchmarkHost.Claims()).Token;
        store.Remove(gone.UserId);

        // A bad signature that is still canonical base64url: the first signature character changed.
        var dot = knownToken.LastIndexOf('.') + 1;
        var badSignature = knownToken[..dot] + (knownToken[dot] == 'A' ? 'B' : 'A') + knownToken[(dot + 1)..];

        var unknown = new List<double>(samples);
        var badSig = new List<double>(samples);
        for (var i = 0; i < WarmUpPairs + samples; i++)
        {
            var unknownFirst = RandomNumberGenerator.GetInt32(2) == 0;
            for (var k = 0; k < 2; k++)
            {
                var isUnknown = unknownFirst == (k == 0);
                var start = Stopwatch.GetTimestamp();
                var result = await handler.ValidateAsync(isUnknown ? goneToken : badSignature);
                var micros = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
                var expected = isUnknown ? TokenFailureReason.UnknownUser : TokenFailureReason.InvalidSignature;
                if (result.FailureReason != expected)
                {
                    throw new InvalidOperationException($"timing probe: expected {expected}, got {result.FailureReason?.ToString() ?? "valid"}.");
                }

                if (i >= WarmUpPairs)
                {
                    (isUnknown ? unknown : badSig).Add(micros);
                }
            }
        }

        // Every call read the store, or the two sides did not take the path compared here.
        if (source.Reads != 2L * (WarmUpPairs + samples))
        {
            throw new InvalidOperationException($"timing probe: {source.Reads} store reads, expected one per call.");
        }

        var c = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(c, $"cold (no key cache, both read the store): n={samples} per side"));
        Console.WriteLine(string.Create(c, $"  unknown user     median {Percentile(unknown, 0.5):F2} us  (p10 {Percentile(unknown, 0.1):F2}, p90 {Percentile(unknown, 0.9):F2})"));
        Console.WriteLine(string.Create(c, $"  known, bad sig   median {Percentile(badSig, 0.5):F2} us  (p10 {Percentile(badSig, 0.1):F2}, p90 {Percentile(badSig, 0.9):F2})"));
        Console.WriteLine(string.Create(c, $"  Mann-Whitney z {MannWhitneyZ(unknown, badSig):F2}  (|z| < 2: no difference detected)"));
    }

    private static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToArray();
        return sorted[(int)Math.Clamp(p * (sorted.Length - 1), 0, sorted.Length - 1)];
    }

    private static double MannWhitneyZ(List<double> a, List<double> b)
    {
        double n1 = a.Count, n2 = b.Count;
        return (UStatistic(a, b) - (n1 * n2 / 2)) / Math.Sqrt(n1 * n2 * (n1 + n2 + 1) / 12);
    }

    /// <summary>U of <paramref name="a"/>: how often a value of a exceeds one of b (ties count half), from mid-ranks.</summary>
    private static double UStatistic(List<double> a, List<double> b)
    {
        var all = a.Select(v => (Value: v, FromA: true)).Concat(b.Select(v => (Value: v, FromA: false))).OrderBy(x => x.Value).ToArray();
        double rankSumA = 0;
        for (var i = 0; i < all.Length;)
        {
            var j = i;
            while (j < all.Length && all[j].Value == all[i].Value)
            {
                j++;
            }

            var midRank = (i + j + 1) / 2.0;
            for (var k = i; k < j; k++)
            {
                if (all[k].FromA)
                {
                    rankSumA += midRank;
                }
            }

            i = j;
        }

        return rankSumA - (a.Count * (a.Count + 1.0) / 2);
    }
}
