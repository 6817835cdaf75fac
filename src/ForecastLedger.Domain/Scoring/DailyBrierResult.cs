namespace ForecastLedger.Domain.Scoring;

/// <summary>The Brier family on one question (scoring.md §3.2).</summary>
/// <param name="ClosedDays">Scoring days up to <c>T_close</c> (the days in <see cref="Days"/>).</param>
/// <param name="ScoringDays">D as used in the denominators; differs from <see cref="ClosedDays"/> only under <see cref="DailyDayCount.ScheduledDays"/>.</param>
/// <param name="Unscored">
/// Forecasters who forecast but have no active scoring day (e.g. only on the final partial day, or only after close).
/// </param>
public sealed record DailyBrierResult(
    ScoringStatus Status,
    DailyDayCount DayCount,
    int ClosedDays,
    int ScoringDays,
    IReadOnlyList<DailyBrierDay> Days,
    IReadOnlyList<DailyBrierScore> Forecasters,
    IReadOnlyList<string> Unscored,
    DailyCrowdScore? Crowd);
