using ForecastLedger.Api.Infrastructure.Caching;

namespace ForecastLedger.Api.Features.Scoring;

/// <summary>The leaderboard totals per forecaster (of one tag, or all) as they stood at a ledger seq.</summary>
public sealed record TotalsAtKey(long Seq, string? Tag) : ReadCacheKey<IReadOnlyList<ForecasterTotals>>;
