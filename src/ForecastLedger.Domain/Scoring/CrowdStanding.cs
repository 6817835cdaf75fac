namespace ForecastLedger.Domain.Scoring;

/// <summary>A standing forecast as <see cref="CrowdFold"/> keeps it: with whether its forecaster counts as a bot.</summary>
public sealed record CrowdStanding(StandingEntry Entry, bool IsBot);
