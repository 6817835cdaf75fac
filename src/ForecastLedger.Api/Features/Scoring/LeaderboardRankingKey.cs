using ForecastLedger.Api.Infrastructure.Caching;

namespace ForecastLedger.Api.Features.Scoring;

/// <summary>A whole current leaderboard, ranked, at the scores' ETag.</summary>
public sealed record LeaderboardRankingKey(string ETag, string? Tag, string Metric) : ReadCacheKey<IReadOnlyList<LeaderboardEntry>>;
