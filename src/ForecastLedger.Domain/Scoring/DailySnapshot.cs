namespace ForecastLedger.Domain.Scoring;

/// <summary>A daily-grid snapshot (scoring.md §3.2): the standing forecasts strictly before <see cref="End"/> = <c>E_d</c>.</summary>
public sealed record DailySnapshot(DateOnly Day, DateTimeOffset End, IReadOnlyList<StandingEntry> Standing);
