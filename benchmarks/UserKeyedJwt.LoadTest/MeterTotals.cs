using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text.RegularExpressions;

namespace UserKeyedJwt.LoadTest;

/// <summary>
/// Listens to this app's <c>UserKeyedJwt</c> meter and keeps running totals per instrument, so a load test can read, say,
/// how many store lookups the token checks cost (<c>GET /bench/stats</c>). Counters and up-down
/// counters are summed, histograms counted, gauges and observable instruments keep their latest reading (observable ones
/// are read when asked). Only numbers are kept, by instrument name and, below it, by tags; a tag is kept only when its name
/// and value look like the library's fixed labels (<c>result=success</c>, <c>outcome=found</c>...), so no identifier can
/// ever show up here.
/// </summary>
internal sealed partial class MeterTotals : IDisposable
{
    public const string MeterName = UserKeyedJwt.UserKeyedJwtDiagnostics.MeterName;

    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, Totals> _instruments = new(StringComparer.Ordinal);

    public MeterTotals(IMeterFactory meterFactory)
    {
        // Scope: only the meters this app's own factory made, not those of another host in the same process (tests).
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == MeterName && ReferenceEquals(instrument.Meter.Scope, meterFactory))
            {
                listener.EnableMeasurementEvents(instrument, _instruments.GetOrAdd(instrument.Name, _ => new Totals(KindOf(instrument))));
            }
        };
        _listener.SetMeasurementEventCallback<long>(static (_, value, tags, state) => ((Totals)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<int>(static (_, value, tags, state) => ((Totals)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<double>(static (_, value, tags, state) => ((Totals)state!).Record(value, tags));
        _listener.Start();
    }

    /// <summary>Every instrument seen so far: its total and its total per combination of label-like tags.</summary>
    public SortedDictionary<string, InstrumentStats> Snapshot()
    {
        _listener.RecordObservableInstruments();
        var snapshot = new SortedDictionary<string, InstrumentStats>(StringComparer.Ordinal);
        foreach (var (name, totals) in _instruments)
        {
            snapshot[name] = totals.Snapshot();
        }

        return snapshot;
    }

    public void Dispose() => _listener.Dispose();

    // Counters add up; a histogram's values are durations or sizes, so it is the number of measurements that is kept; a
    // gauge or an observable instrument reports a current value, which replaces the previous one of the same tags.
    private static Kind KindOf(Instrument instrument)
    {
        if (instrument.IsObservable)
        {
            return Kind.Last;
        }

        var type = instrument.GetType();
        var definition = type.IsGenericType ? type.GetGenericTypeDefinition() : type;
        return definition == typeof(Histogram<>) ? Kind.Count : definition == typeof(Gauge<>) ? Kind.Last : Kind.Sum;
    }

    [GeneratedRegex("^[a-z0-9_.-]{1,40}$", RegexOptions.CultureInvariant)]
    private static partial Regex LabelValue();

    internal sealed record InstrumentStats(double Total, SortedDictionary<string, double> ByTags);

    private enum Kind
    {
        Sum,
        Count,
        Last,
    }

    private sealed class Totals(Kind kind)
    {
        private readonly Lock _lock = new();
        private readonly Dictionary<string, double> _byTags = new(StringComparer.Ordinal);

        public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var key = TagKey(tags);
            lock (_lock)
            {
                _byTags[key] = kind switch
                {
                    Kind.Sum => _byTags.GetValueOrDefault(key) + value,
                    Kind.Count => _byTags.GetValueOrDefault(key) + 1,
                    _ => value,
                };
            }
        }

        public InstrumentStats Snapshot()
        {
            lock (_lock)
            {
                return new InstrumentStats(_byTags.Values.Sum(), new SortedDictionary<string, double>(_byTags, StringComparer.Ordinal));
            }
        }

        private static string TagKey(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            if (tags.IsEmpty)
            {
                return "";
            }

            var parts = new List<string>(tags.Length);
            foreach (var (key, value) in tags)
            {
                var text = value switch
                {
                    string s => s,
                    bool b => b ? "true" : "false",
                    int or long => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture),
                    _ => null,
                };
                if (text is not null && LabelValue().IsMatch(text) && LabelValue().IsMatch(key))
                {
                    parts.Add(key + "=" + text);
                }
            }

            parts.Sort(StringComparer.Ordinal);
            return string.Join(',', parts);
        }
    }
}
