namespace ForecastLedger.Domain.Scoring;

/// <summary>
/// A forecaster's standing forecast <c>p_i(t)</c> (scoring.md §1): the latest non-withdrawn forecast at or before t.
/// <see cref="Since"/> and <see cref="Seq"/> are the start of that forecast, which orders the crowd by recency (§4).
/// </summary>
public sealed record StandingEntry(string ForecasterId, IReadOnlyList<int> Permille, DateTimeOffset Since, long Seq);
