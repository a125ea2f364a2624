using System.Globalization;
using System.Text;

namespace UserKeyedJwt.ScaleOut.Tests.Support;

/// <summary>
/// What a test measured, printed to the test output and written to <c>scale-out-results/&lt;name&gt;.txt</c> beside the
/// test assembly (or under <c>SCALE_OUT_RESULTS</c> when set), so the numbers can be copied into docs/scale-out.md.
/// </summary>
internal sealed class Results(string name)
{
    private readonly StringBuilder _text = new();

    public void Line(FormattableString line)
    {
        var text = line.ToString(CultureInfo.InvariantCulture);
        _text.AppendLine(text);
        TestContext.Current.TestOutputHelper?.WriteLine(text);
    }

    public string Save()
    {
        var directory = Environment.GetEnvironmentVariable("SCALE_OUT_RESULTS") is { Length: > 0 } configured
            ? configured
            : Path.Combine(AppContext.BaseDirectory, "scale-out-results");
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, name + ".txt");
        File.WriteAllText(path, _text.ToString());
        TestContext.Current.TestOutputHelper?.WriteLine($"Written to {path}");
        return path;
    }

    /// <summary>Nearest-rank percentile of <paramref name="sorted"/> (ascending), <paramref name="p"/> in (0, 1].</summary>
    public static double Percentile(IReadOnlyList<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
}
