using ForecastLedger.Api.Features.PointInTime;
using ForecastLedger.Api.Features.Questions;
using ForecastLedger.Domain.Scoring;

namespace ForecastLedger.Api.Features.Scoring;

/// <summary>
/// Running totals across scored questions (scoring.md §3.4), added one question at a time. The leaderboard (current and
/// at a point) and the score history share this one accumulation, so a figure never depends on which path computed it.
/// </summary>
/// <param name="Questions">Scored questions so far.</param>
/// <param name="DailyQuestions">Those with at least one scored day (they carry a relative Brier).</param>
/// <param name="RelativeBrierSum">Σ relative Brier; null before the first scored day.</param>
/// <param name="MeanDailyBriersSum">Σ mean daily Brier over <see cref="DailyQuestions"/>.</param>
/// <param name="PeerSum">Σ Peer.</param>
/// <param name="BaselineSum">Σ Baseline.</param>
/// <param name="CoverageSum">Σ coverage.</param>
public sealed record ScoreTotals(int Questions, int DailyQuestions, decimal? RelativeBrierSum, decimal MeanDailyBriersSum, double PeerSum, double BaselineSum, double CoverageSum)
{
    public static readonly ScoreTotals Empty = new(0, 0, null, 0m, 0.0, 0.0, 0.0);

    /// <summary>The mean of the per-question mean daily Brier; null before the first scored day.</summary>
    public decimal? MeanDailyBrierMean => DailyQuestions == 0 ? null : MeanDailyBriersSum / DailyQuestions;

    /// <summary>The global Peer score Σ Peer / max(30, Σ coverage).</summary>
    public double PeerScore => PeerSum / Math.Max(Leaderboards.GlobalPeerCoverageFloor, CoverageSum);

    /// <summary>These totals with one more question.</summary>
    public ScoreTotals Add(QuestionScoreRow row) => new(
        Questions + 1,
        DailyQuestions + (row.MeanDailyBrier is null ? 0 : 1),
        row.RelativeBrier is { } rb ? (RelativeBrierSum ?? 0m) + rb : RelativeBrierSum,
        MeanDailyBriersSum + (row.MeanDailyBrier ?? 0m),
        PeerSum + row.Peer,
        BaselineSum + row.Baseline,
        CoverageSum + row.Coverage);

    /// <summary>
    /// Leaderboard totals per forecaster: rows grouped by forecaster, each summed in question id order (PostgreSQL's uuid
    /// order), forecasters in id order.
    /// </summary>
    public static IReadOnlyList<ForecasterTotals> PerForecaster(IEnumerable<QuestionScoreRow> rows, Func<Guid, (string? Handle, bool IsBot)> who) =>
        [.. rows.GroupBy(r => r.ForecasterId)
            .OrderBy(g => g.Key, PgUuidOrder.Instance)
            .Select(g =>
            {
                var totals = g.OrderBy(r => r.QuestionId, PgUuidOrder.Instance).Aggregate(Empty, (t, r) => t.Add(r));
                var (handle, isBot) = who(g.Key);
                return new ForecasterTotals(g.Key, handle, isBot, totals.Questions, totals.DailyQuestions, totals.RelativeBrierSum,
                    totals.MeanDailyBrierMean, totals.PeerSum, totals.BaselineSum, totals.CoverageSum);
            })];
}

/// <summary>Question views at a point and the score rows of those scored then.</summary>
public sealed record ScoredAt(IReadOnlyDictionary<Guid, QuestionView> Views, IReadOnlyList<QuestionScoreRow> Rows);

/// <summary>Scores computed at a point by replay, with the Domain code the <c>question_scores</c> projection runs.</summary>
public sealed class ScoresAtPoint(LedgerReplay replay)
{
    /// <summary>
    /// The score rows of every question scored at <paramref name="seq"/> (all of them, or those of <paramref name="questionIds"/>),
    /// with the question views they were computed from.
    /// </summary>
    public async Task<ScoredAt> ComputeAsync(
        long seq, IReadOnlyCollection<Guid>? questionIds, CancellationToken ct)
    {
        var views = await replay.QuestionsAsync(seq, questionIds, ct);
        var scored = views.Values.Where(v => QuestionScoreComputation.Timeline(v).Status == ScoringStatus.Scored).Select(v => v.Id).ToArray();
        var points = await replay.PointsAsync(scored, seq, null, null, ct);
        return new ScoredAt(views, [.. scored.SelectMany(id => QuestionScoreComputation.Compute(views[id], points[id]))]);
    }

    /// <summary>The handles of <paramref name="forecasters"/> (a handle never changes, so the registration's).</summary>
    public async Task<IReadOnlyDictionary<Guid, string?>> HandlesAsync(long seq, IEnumerable<Guid> forecasters, CancellationToken ct) =>
        (await replay.ForecastersAsync(seq, [.. forecasters.Distinct()], ct)).ToDictionary(f => f.Key, f => (string?)f.Value.Handle);
}
