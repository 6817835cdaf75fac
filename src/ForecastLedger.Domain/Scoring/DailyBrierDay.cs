namespace ForecastLedger.Domain.Scoring;

/// <summary>One scoring day of the daily grid (scoring.md §3.2), with everything the API needs to show it.</summary>
/// <param name="End"><c>E_d</c>, 00:00 UTC at the end of the day; the snapshot is the last forecast strictly before it.</param>
/// <param name="BrierByForecaster"><c>B_i(d)</c> for every forecaster with <c>s_i(d) ≠ null</c>.</param>
/// <param name="MedianBrier"><c>M(d)</c>, the median of those Brier scores; null when nobody had a forecast.</param>
/// <param name="CrowdForecast">The crowd at <c>E_d</c> (strictly before it); null when nobody had a forecast.</param>
/// <param name="CrowdBrier">Brier score of <paramref name="CrowdForecast"/>.</param>
public sealed record DailyBrierDay(
    DateOnly Day,
    DateTimeOffset End,
    IReadOnlyDictionary<string, decimal> BrierByForecaster,
    decimal? MedianBrier,
    IReadOnlyList<double>? CrowdForecast,
    decimal? CrowdBrier);
