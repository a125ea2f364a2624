using System.Globalization;
using System.Reflection;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Mathematics;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace UserKeyedJwt.Benchmarks;

/// <summary>The most a case may cost, as a ratio of the baseline or of the case named by <see cref="Against"/>.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class GuardRailAttribute(double limit) : Attribute
{
    public double Limit { get; } = limit;

    /// <summary>The method of the same class the ratio is taken against; <see langword="null"/>: the baseline.</summary>
    public string? Against { get; init; }
}

/// <summary>Adds the <see cref="GuardRailColumn"/> to a benchmark class.</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class GuardRailColumnAttribute : ColumnConfigBaseAttribute
{
    public GuardRailColumnAttribute()
        : base(new GuardRailColumn())
    {
    }
}

/// <summary>Each guarded case's ratio to what it is guarded against, computed as BenchmarkDotNet's Ratio column does, and its limit.</summary>
public sealed class GuardRailColumn : IColumn
{
    public string Id => nameof(GuardRailColumn);

    public string ColumnName => "Guard rail";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => false;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => "Mean ratio of the case to the baseline (or to the method named), against the most it may be";

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, summary.Style);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        if (benchmarkCase.Descriptor.WorkloadMethod.GetCustomAttribute<GuardRailAttribute>() is not { } rail)
        {
            return "-";
        }

        var reference = rail.Against is null
            ? summary.GetBaseline(summary.GetLogicalGroupKey(benchmarkCase))
            : summary.BenchmarksCases.FirstOrDefault(c =>
                c.Descriptor.Type == benchmarkCase.Descriptor.Type
                && c.Descriptor.WorkloadMethod.Name == rail.Against
                && c.Job.DisplayInfo == benchmarkCase.Job.DisplayInfo
                && c.Parameters.DisplayInfo == benchmarkCase.Parameters.DisplayInfo);
        var current = summary[benchmarkCase]?.ResultStatistics;
        var against = reference is null ? null : summary[reference]?.ResultStatistics;
        var name = rail.Against is null ? string.Empty : $" of {rail.Against}";
        if (current is null || against is null || !against.CanBeInverted())
        {
            return string.Create(CultureInfo.InvariantCulture, $"NA{name} (<= {rail.Limit:0.00})");
        }

        var ratio = Statistics.DivMean(current, against);
        var verdict = ratio <= rail.Limit ? "met" : "NOT MET";
        return string.Create(CultureInfo.InvariantCulture, $"{ratio:0.00}{name} (<= {rail.Limit:0.00}): {verdict}");
    }

    public override string ToString() => ColumnName;
}
