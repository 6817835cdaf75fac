using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace ForecastLedger.IntegrationTests.Support;

/// <summary>One log entry as the host wrote it: the level, the formatted message and the exception, if any.</summary>
public sealed record CapturedLog(string Category, LogLevel Level, string Message, Exception? Exception)
{
    /// <summary>Everything a log sink could print for this entry, exception text and stack included.</summary>
    public string FullText => Exception is null ? Message : $"{Message} {Exception}";
}

/// <summary>A logger provider that keeps every entry in memory, so a test can assert what the host logged.</summary>
public sealed class CapturedLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<CapturedLog> _entries = new();

    public IReadOnlyList<CapturedLog> Entries => [.. _entries];

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _entries);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<CapturedLog> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                entries.Enqueue(new CapturedLog(category, logLevel, formatter(state, exception), exception));
            }
        }
    }
}
