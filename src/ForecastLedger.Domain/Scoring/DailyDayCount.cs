namespace ForecastLedger.Domain.Scoring;

/// <summary>Which days count in D, the denominator of Participation and Relative Brier (scoring.md §3.2).</summary>
public enum DailyDayCount
{
    /// <summary>GJ Open behaviour and the default: D counts the scoring days up to <c>T_close</c>, so early resolution shrinks D.</summary>
    ClosedDays,

    /// <summary>
    /// The <c>ScheduledDays</c> truncation option: D counts days up to <c>T_sched</c>; days after <c>T_close</c> contribute
    /// 0 to Relative Brier (and count as days without a forecast in Participation).
    /// </summary>
    ScheduledDays,
}
