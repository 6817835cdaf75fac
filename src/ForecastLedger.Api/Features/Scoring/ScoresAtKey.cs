using ForecastLedger.Api.Infrastructure.Caching;

namespace ForecastLedger.Api.Features.Scoring;

/// <summary>The scores at a ledger seq, recomputed by <see cref="ScoresAtPoint"/>: of one question, or of all (<paramref name="Question"/> null).</summary>
public sealed record ScoresAtKey(long Seq, Guid? Question) : ReadCacheKey<ScoredAt>
{
    // A question view (its texts, options and tags) and a score row.
    private const long ViewBytes = 2048;
    private const long ScoreBytes = 192;

    public override long SizeOf(ScoredAt value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return (value.Views.Count * ViewBytes) + (value.Scores.Count * ScoreBytes);
    }
}
