namespace ForecastLedger.EventStore;

/// <summary>Where a <see cref="StoreMove"/> copy stands, reported after each committed chunk.</summary>
/// <param name="Copied">Events in Marten's table, copied by this run or an earlier, interrupted one.</param>
/// <param name="Total">Events in the old store.</param>
/// <param name="CopiedThisRun">Events this run copied.</param>
/// <param name="Elapsed">Time since this run began copying.</param>
public sealed record StoreMoveProgress(long Copied, long Total, long CopiedThisRun, TimeSpan Elapsed)
{
    /// <summary>This run's copy rate.</summary>
    public double EventsPerSecond => Elapsed > TimeSpan.Zero ? CopiedThisRun / Elapsed.TotalSeconds : 0;

    /// <summary>One line for a console or a log.</summary>
    public string Describe() => FormattableString.Invariant(
        $"copied {Copied:N0} of {Total:N0} events ({(Total == 0 ? 100 : 100.0 * Copied / Total):F1} %), {EventsPerSecond:N0} events/s");
}
