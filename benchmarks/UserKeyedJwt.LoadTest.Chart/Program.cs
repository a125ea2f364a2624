using System.Globalization;
using ScottPlot;

// Usage: UserKeyedJwt.LoadTest.Chart <summary.tsv> <out.png> <title>
// summary.tsv: one line per strategy, tab-separated: label, requests per second, p99 in ms (scripts/loadtest.sh writes it).
if (args.Length != 3)
{
    Console.Error.WriteLine("usage: UserKeyedJwt.LoadTest.Chart <summary.tsv> <out.png> <title>");
    return 2;
}

var rows = File.ReadAllLines(args[0])
    .Where(line => line.Length > 0)
    .Select(line => line.Split('\t'))
    .Select(f => (Label: f[0], Rps: double.Parse(f[1], CultureInfo.InvariantCulture), P99: double.Parse(f[2], CultureInfo.InvariantCulture)))
    .ToList();

var multiplot = new Multiplot();
var throughput = multiplot.GetPlot(0);
var p99 = multiplot.AddPlot();
Fill(throughput, rows.Select(r => r.Rps).ToArray(), "requests per second", args[2]);
Fill(p99, rows.Select(r => r.P99).ToArray(), "p99 latency (ms)", "p99 latency");

multiplot.Layout = new ScottPlot.MultiplotLayouts.Columns();
multiplot.SavePng(args[1], 1100, 420);
return 0;

void Fill(Plot plot, double[] values, string axis, string title)
{
    var bars = plot.Add.Bars(values);
    foreach (var bar in bars.Bars)
    {
        bar.Label = bar.Value.ToString(bar.Value >= 100 ? "N0" : "N2", CultureInfo.InvariantCulture);
    }

    bars.ValueLabelStyle.FontSize = 12;
    plot.Axes.Bottom.SetTicks([.. Enumerable.Range(0, rows.Count).Select(i => (double)i)], [.. rows.Select(r => r.Label)]);
    plot.Axes.Bottom.MajorTickStyle.Length = 0;
    plot.Axes.Left.Label.Text = axis;
    plot.Axes.Margins(bottom: 0, top: 0.15);
    plot.Title(title);
    plot.HideGrid();
}
