using ForecastLedger.Api.Infrastructure.Caching;
using ForecastLedger.Domain.Scoring;

namespace ForecastLedger.Api.Features.Scoring;

/// <summary>
/// The current crowd series of a question with one bot rule and method. Unlike other keys it names no version: the
/// entry says what it was built at, and <see cref="CrowdReads"/> extends or replaces it as the question moves on.
/// </summary>
internal sealed record CrowdSeriesKey(Guid Question, bool IncludeBots, CrowdAggregation Method) : ReadCacheKey<CachedCrowdSeries>
{
    // A step's objects (record, timestamps, count, a small probability array), and a standing forecast's.
    private const int StepBytes = 160;
    private const int StandingBytes = 64;

    public override long SizeOf(CachedCrowdSeries value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var steps = value.Series.Steps;
        return (Math.Max(1, steps.Count) * StepBytes) + (steps.Count > 0 ? steps[^1].ForecasterCount * StandingBytes : 0);
    }
}
