namespace ForecastLedger.Domain.Scoring;

/// <summary>How a forecaster's forecasts on a question become calibration points (scoring.md §5 Points).</summary>
public enum CalibrationWeighting
{
    /// <summary>
    /// The default: each forecast weighs its standing time within <c>[T_open, T_close)</c> divided by
    /// <c>T_close − T_open</c>, so one (forecaster, question) weighs at most 1 (Metaculus track record).
    /// </summary>
    DurationWeighted,

    /// <summary>Every counted forecast weighs 1 (over-weights heavy updaters). Same-instant superseded ones are not counted.</summary>
    PerForecast,

    /// <summary>The last forecast made before <c>T_close</c> weighs 1, even if it was later withdrawn.</summary>
    FinalOnly,

    /// <summary>Each daily snapshot <c>s_i(d)</c> weighs 1/D, consistent with Mean Daily Brier (§3.2).</summary>
    Daily,
}
