namespace ForecastLedger.Domain.Scoring;

/// <summary>A global leaderboard row (§3.4); <see cref="Score"/> is the leaderboard's score.</summary>
public sealed record GlobalStanding(string ForecasterId, double Score, double ScoreSum, double CoverageSum, int QuestionCount, int Rank);
