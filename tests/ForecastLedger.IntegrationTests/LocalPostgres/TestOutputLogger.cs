using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace ForecastLedger.IntegrationTests.LocalPostgres;

/// <summary>Sends LocalCluster's log to the test's output, so a failing start shows what it ran.</summary>
internal sealed class TestOutputLogger(ITestOutputHelper output) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        try
        {
            output.WriteLine($"[{logLevel}] {formatter(state, exception)}{(exception is null ? string.Empty : " " + exception.Message)}");
        }
        catch (InvalidOperationException)
        {
            // Logged after the test finished (e.g. from a dispose); there is nowhere to write it.
        }
    }
}
