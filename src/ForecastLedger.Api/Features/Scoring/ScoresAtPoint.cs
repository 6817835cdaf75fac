using ForecastLedger.Api.Features.PointInTime;
using ForecastLedger.Api.Features.Questions;
using ForecastLedger.Domain.Scoring;

namespace ForecastLedger.Api.Features.Scoring;

/// <summary>Scores computed at a point by replay, with the Domain code the <c>question_scores</c> projection runs.</summary>
public sealed class ScoresAtPoint(LedgerReplay replay)
{
    /// <summary>
    /// The scores of every question scored at <paramref name="seq"/> (all of them, or those of <paramref name="questionIds"/>),
    /// with the question views they were computed from.
    /// </summary>
    public async Task<ScoredAt> ComputeAsync(
        long seq, IReadOnlyCollection<Guid>? questionIds, CancellationToken ct)
    {
        var views = await replay.QuestionsAsync(seq, questionIds, ct);
        var scored = views.Values.Where(v => v.Timeline().Status == ScoringStatus.Scored).Select(v => v.Id).ToArray();
        var points = await replay.PointsAsync(scored, seq, null, null, ct);
        return new ScoredAt(views, [.. scored.SelectMany(id => QuestionScoring.Score(id, views[id].Timeline(), points[id]))]);
    }

    /// <summary>The handles of <paramref name="forecasters"/> (a handle never changes, so the registration's).</summary>
    public async Task<IReadOnlyDictionary<Guid, string?>> HandlesAsync(long seq, IEnumerable<Guid> forecasters, CancellationToken ct) =>
        (await replay.ForecastersAsync(seq, [.. forecasters.Distinct()], ct)).ToDictionary(f => f.Key, f => (string?)f.Value.Handle);
}
