using ForecastLedger.Api.Infrastructure.Caching;

namespace ForecastLedger.Api.Features.Scoring;

/// <summary>The current leaderboard totals per forecaster (of one tag, or all), at the scores' ETag in a schema.</summary>
public sealed record CurrentTotalsKey(string Schema, string ETag, string? Tag) : ReadCacheKey<IReadOnlyList<ForecasterTotals>>;
