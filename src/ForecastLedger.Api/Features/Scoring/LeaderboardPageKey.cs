using ForecastLedger.Api.Infrastructure.Caching;

namespace ForecastLedger.Api.Features.Scoring;

/// <summary>A current leaderboard page, serialised as the endpoint answers it, at the scores' ETag.</summary>
public sealed record LeaderboardPageKey(string ETag, string? Tag, string Metric, int Offset, int? Limit) : ReadCacheKey<byte[]>;
