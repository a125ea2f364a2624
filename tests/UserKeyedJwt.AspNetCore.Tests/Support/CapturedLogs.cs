using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace UserKeyedJwt.AspNetCore.Tests.Support;

/// <summary>A logger provider that keeps every formatted message (with its exception), to check what reaches the logs.</summary>
public sealed class CapturedLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<Entry> _entries = new();

    public IReadOnlyCollection<Entry> Entries => _entries;

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _entries);

    public void Dispose()
    {
    }

    public sealed record Entry(string Category, LogLevel Level, EventId EventId, string Text);

    private sealed class Logger(string category, ConcurrentQueue<Entry> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var text = formatter(state, exception);
            if (state is IEnumerable<KeyValuePair<string, object?>> values)
            {
                // Structured values too: a sink may store them even when the message template leaves them out.
                text += " | " + string.Join("; ", values.Select(v => $"{v.Key}={v.Value}"));
            }

            entries.Enqueue(new Entry(category, logLevel, eventId, exception is null ? text : $"{text}\n{exception}"));
        }
    }
}
