namespace ForecastLedger.Domain.Scoring;

/// <summary>An id with its score and competition rank.</summary>
public sealed record RankedScore(string Id, double Score, int Rank);
