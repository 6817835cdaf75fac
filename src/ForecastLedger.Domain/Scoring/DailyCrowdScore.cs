namespace ForecastLedger.Domain.Scoring;

/// <summary>The crowd scored as a pseudo-forecaster on the daily grid (§4 default choice; §8 Ex 3: 0.137).</summary>
public sealed record DailyCrowdScore(int ActiveDays, decimal MeanDailyBrier);
