using ForecastLedger.EventStore;

namespace ForecastLedger.Api.Infrastructure;

/// <summary>
/// Writes a store move's progress (<see cref="StoreMoveProgress.Describe"/>) at most once per interval, and always its
/// first and last report, so a copy of millions of events in small chunks does not flood a console or a log.
/// Synchronous, unlike <see cref="Progress{T}"/>, so the lines come in order and before the copy returns.
/// </summary>
public sealed class StoreMoveReporter(Action<string> write, TimeSpan interval) : IProgress<StoreMoveProgress>
{
    private TimeSpan _last = TimeSpan.MinValue;

    public void Report(StoreMoveProgress value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var done = value.Copied >= value.Total;
        if (done || _last == TimeSpan.MinValue || value.Elapsed - _last >= interval)
        {
            _last = value.Elapsed;
            write(value.Describe());
        }
    }
}
