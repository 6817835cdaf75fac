namespace ForecastLedger.Domain.Scoring;

/// <summary>The crowd scored as a pseudo-forecaster on the continuous grid (§4 default choice).</summary>
public sealed record ContinuousCrowdScore(double Baseline, double Log, double Coverage);
