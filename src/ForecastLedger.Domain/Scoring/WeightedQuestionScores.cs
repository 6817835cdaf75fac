namespace ForecastLedger.Domain.Scoring;

/// <summary>One question's continuous scores with its weight <c>w_q</c> in a leaderboard (default 1, scoring.md §3.4).</summary>
public sealed record WeightedQuestionScores(ContinuousScoreResult Scores, double Weight = 1.0);
