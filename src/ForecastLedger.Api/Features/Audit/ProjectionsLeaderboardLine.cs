using ForecastLedger.Api.Features.Scoring;

namespace ForecastLedger.Api.Features.Audit;

/// <summary>A whole leaderboard (every entry, no paging), as <c>GET /api/leaderboards</c> ranks it.</summary>
/// <param name="Kind">Always <c>leaderboard</c>.</param>
/// <param name="Metric">relative-brier, mean-brier, peer or baseline.</param>
/// <param name="Entries">Every entry in rank order.</param>
public sealed record ProjectionsLeaderboardLine(string Kind, string Metric, IReadOnlyList<LeaderboardEntry> Entries);
