namespace ForecastLedger.Domain.Scoring;

/// <summary>
/// One forecaster's running totals over the scored questions (scoring.md §3.4), added one question at a time, and how
/// each leaderboard metric scores them: the one definition of the figures the API's leaderboards and score histories
/// publish and the offline verifier recomputes, so a figure never depends on which path computed it.
/// </summary>
/// <param name="Questions">Scored questions so far.</param>
/// <param name="DailyQuestions">Those with at least one scored day (they carry a relative Brier).</param>
/// <param name="RelativeBrierSum">Σ relative Brier; null before the first scored day.</param>
/// <param name="MeanDailyBriersSum">Σ mean daily Brier over <see cref="DailyQuestions"/>.</param>
/// <param name="PeerSum">Σ Peer.</param>
/// <param name="BaselineSum">Σ Baseline.</param>
/// <param name="CoverageSum">Σ coverage.</param>
public sealed record LeaderboardTotals(
    int Questions, int DailyQuestions, decimal? RelativeBrierSum, decimal MeanDailyBriersSum, double PeerSum, double BaselineSum, double CoverageSum)
{
    public static readonly LeaderboardTotals Empty = new(0, 0, null, 0m, 0.0, 0.0, 0.0);

    /// <summary>The mean of the per-question mean daily Brier; null before the first scored day.</summary>
    public decimal? MeanDailyBrierMean => DailyQuestions == 0 ? null : MeanDailyBriersSum / DailyQuestions;

    /// <summary>The global Peer score Σ Peer / max(30, Σ coverage).</summary>
    public double PeerScore => PeerSum / Math.Max(Leaderboards.GlobalPeerCoverageFloor, CoverageSum);

    /// <summary>These totals with one more scored question.</summary>
    /// <remarks>Sums depend on the order questions are added in (IEEE doubles): callers add them in question id order.</remarks>
    public LeaderboardTotals Add(QuestionScore score) => new(
        Questions + 1,
        DailyQuestions + (score.MeanDailyBrier is null ? 0 : 1),
        score.RelativeBrier is { } rb ? (RelativeBrierSum ?? 0m) + rb : RelativeBrierSum,
        MeanDailyBriersSum + (score.MeanDailyBrier ?? 0m),
        PeerSum + score.Peer,
        BaselineSum + score.Baseline,
        CoverageSum + score.Coverage);

    /// <summary>
    /// Totals per forecaster: scores grouped by forecaster, each group summed in question id order (<see cref="UuidOrder"/>,
    /// PostgreSQL's), forecasters in ordinal id order. Every leaderboard (current, at a point, exported, verified) sums so.
    /// </summary>
    public static IReadOnlyList<(string ForecasterId, LeaderboardTotals Totals)> PerForecaster(IEnumerable<QuestionScore> scores) =>
        [.. scores.GroupBy(s => s.ForecasterId, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => (g.Key, g.OrderBy(s => s.QuestionId, UuidOrder.Instance).Aggregate(Empty, (t, s) => t.Add(s))))];

    /// <summary>The metrics a leaderboard ranks by.</summary>
    public static readonly IReadOnlyList<string> Metrics = ["relative-brier", "mean-brier", "peer", "baseline"];

    /// <summary>
    /// <c>relative-brier</c>: Σ RB and <c>mean-brier</c>: mean MDB, lower is better, only with a scored day;
    /// <c>peer</c>: Σ Peer / max(30, Σ Coverage) and <c>baseline</c>: Σ Baseline, higher is better.
    /// </summary>
    public static ScoreOrientation Orientation(string metric) =>
        metric is "relative-brier" or "mean-brier" ? ScoreOrientation.LowerIsBetter : ScoreOrientation.HigherIsBetter;

    /// <summary>This forecaster's score under <paramref name="metric"/>; null when the metric does not rank it.</summary>
    public double? Score(string metric) => metric switch
    {
        "relative-brier" => (double?)RelativeBrierSum,
        "mean-brier" => (double?)MeanDailyBrierMean,
        "peer" => PeerScore,
        "baseline" => BaselineSum,
        _ => throw new ArgumentOutOfRangeException(nameof(metric), metric, "Unknown leaderboard metric."),
    };

    /// <summary>The questions the metric counts: those with a scored day for the Brier metrics, all of them otherwise.</summary>
    public int QuestionsCounted(string metric) => Orientation(metric) == ScoreOrientation.LowerIsBetter ? DailyQuestions : Questions;

    /// <summary>Ranks forecasters by <paramref name="metric"/> with the Domain <see cref="Ranking"/> (ties 1, 1, 3).</summary>
    public static IReadOnlyList<RankedScore> Rank(string metric, IEnumerable<(string Id, LeaderboardTotals Totals)> forecasters) =>
        Ranking.Rank(
            forecasters.Select(f => (f.Id, Score: f.Totals.Score(metric))).Where(f => f.Score is not null).Select(f => (f.Id, f.Score!.Value)),
            Orientation(metric));
}
