namespace ForecastLedger.Domain.Scoring;

/// <summary>Spot scores of one question at <see cref="SpotTime"/>.</summary>
public sealed record SpotScoreResult(ScoringStatus Status, DateTimeOffset SpotTime, IReadOnlyList<SpotScore> Forecasters);
