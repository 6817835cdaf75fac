namespace ForecastLedger.Api.Features.Scoring;

/// <summary>One forecaster's place on a leaderboard.</summary>
/// <param name="Rank">1-based; equal scores share a rank and the next rank skips (1, 1, 3).</param>
/// <param name="ForecasterId">The forecaster.</param>
/// <param name="Handle">The forecaster's handle.</param>
/// <param name="Score">The ranked value (see the metric).</param>
/// <param name="Questions">Scored questions counted in the score.</param>
/// <param name="CoverageSum">Σ coverage over those questions (the Peer denominator is max(30, this)).</param>
/// <param name="IsBot">True for forecasters flagged as bots.</param>
public sealed record LeaderboardEntry(int Rank, Guid ForecasterId, string? Handle, double Score, int Questions, double CoverageSum, bool IsBot);
