using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;

namespace UserKeyedJwt.Benchmarks;

/// <summary>
/// Timing side channel: per-call durations of <see cref="UserKeyedTokenHandler.ValidateAsync"/> for a token whose subject
/// the store no longer knows versus a known subject's token with a bad signature. Both carry a genuine kid, so both pass
/// the cheap checks and reach the store. Calls are interleaved in random order; the known user's cached key is dropped
/// before each of its calls ("cold", both paths read the store) or kept ("warm", as a repeated attack would see it).
/// Prints medians, trimmed means, Welch's t and the Mann-Whitney z; nothing is asserted.
/// Run: dotnet run -c Release --project benchmarks/UserKeyedJwt.Benchmarks -- timing 20000
/// </summary>
public static class TimingProbe
{
    public static async Task RunAsync(int samples)
    {
        var source = new InMemoryUserKeyInputsSource();
        await using var provider = BenchmarkHost.Build(source);
        var handler = provider.GetRequiredService<UserKeyedTokenHandler>();
        var issuer = provider.GetRequiredService<UserKeyedTokenIssuer>();
        var cache = provider.GetRequiredService<IUserKeyCache>();

        var known = BenchmarkHost.NewUser();
        var gone = BenchmarkHost.NewUser();
        source.Set(known);
        source.Set(gone);
        var knownToken = issuer.Issue(known).Token;
        var goneToken = issuer.Issue(gone).Token;
        source.Remove(gone.UserId);
        cache.Clear();

        // A bad signature that is still canonical base64url: the first signature character changed.
        var dot = knownToken.LastIndexOf('.') + 1;
        var badSignature = knownToken[..dot] + (knownToken[dot] == 'A' ? 'B' : 'A') + knownToken[(dot + 1)..];

        foreach (var cold in new[] { true, false })
        {
            var unknown = new List<double>(samples);
            var badSig = new List<double>(samples);
            for (var i = 0; i < samples + 2_000; i++)
            {
                var unknownFirst = RandomNumberGenerator.GetInt32(2) == 0;
                for (var k = 0; k < 2; k++)
                {
                    var isUnknown = unknownFirst == (k == 0);
                    if (!isUnknown && cold)
                    {
                        cache.Invalidate(known.UserId);
                    }

                    var start = Stopwatch.GetTimestamp();
                    var result = await handler.ValidateAsync(isUnknown ? goneToken : badSignature);
                    var micros = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
                    var expected = isUnknown ? TokenFailureReason.UnknownUser : TokenFailureReason.InvalidSignature;
                    if (result.FailureReason != expected)
                    {
                        throw new InvalidOperationException($"expected {expected}, got {result.FailureReason}");
                    }

                    if (i >= 2_000)
                    {
                        (isUnknown ? unknown : badSig).Add(micros);
                    }
                }
            }

            Report(cold ? "cold (both read the store)" : "warm (known key cached)", unknown, badSig);
        }
    }

    private static void Report(string scenario, List<double> unknown, List<double> badSig)
    {
        var c = CultureInfo.InvariantCulture;
        Console.WriteLine($"{scenario}: n={unknown.Count} per side");
        Console.WriteLine(string.Create(c, $"  unknown user     median {Percentile(unknown, 0.5):F2} µs  p10 {Percentile(unknown, 0.1):F2}  p90 {Percentile(unknown, 0.9):F2}  trimmed mean {TrimmedMean(unknown):F2}"));
        Console.WriteLine(string.Create(c, $"  known, bad sig   median {Percentile(badSig, 0.5):F2} µs  p10 {Percentile(badSig, 0.1):F2}  p90 {Percentile(badSig, 0.9):F2}  trimmed mean {TrimmedMean(badSig):F2}"));
        Console.WriteLine(string.Create(c, $"  Welch t (10%-trimmed samples) {WelchT(Trim(unknown), Trim(badSig)):F2}   Mann-Whitney z {MannWhitneyZ(unknown, badSig):F2}   common-language effect P(unknown > bad sig) {CommonLanguage(unknown, badSig):F3}"));
    }

    private static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToArray();
        return sorted[(int)Math.Clamp(p * (sorted.Length - 1), 0, sorted.Length - 1)];
    }

    private static double[] Trim(List<double> values)
    {
        var sorted = values.Order().ToArray();
        var cut = sorted.Length / 10;
        return sorted[cut..^cut];
    }

    private static double TrimmedMean(List<double> values) => Trim(values).Average();

    private static double WelchT(double[] a, double[] b)
    {
        static (double Mean, double Var) Moments(double[] x)
        {
            var mean = x.Average();
            return (mean, x.Sum(v => (v - mean) * (v - mean)) / (x.Length - 1));
        }

        var (ma, va) = Moments(a);
        var (mb, vb) = Moments(b);
        return (ma - mb) / Math.Sqrt((va / a.Length) + (vb / b.Length));
    }

    private static double MannWhitneyZ(List<double> a, List<double> b)
    {
        double n1 = a.Count, n2 = b.Count;
        return (UStatistic(a, b) - (n1 * n2 / 2)) / Math.Sqrt(n1 * n2 * (n1 + n2 + 1) / 12);
    }

    private static double CommonLanguage(List<double> a, List<double> b) => UStatistic(a, b) / ((double)a.Count * b.Count);

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
