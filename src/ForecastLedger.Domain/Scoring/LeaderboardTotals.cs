namespace ForecastLedger.Domain.Scoring;

/// <summary>
/// One forecaster's totals over the scored questions, and how each leaderboard metric scores them (scoring.md §3.4):
/// the one definition of the metrics the API ranks and the offline verifier re-ranks.
/// </summary>
/// <param name="Questions">Scored questions.</param>
/// <param name="DailyQuestions">Those with at least one scored day (they carry a relative Brier).</param>
/// <param name="RelativeBrierSum">Σ relative Brier; null without a scored day.</param>
/// <param name="MeanDailyBrierMean">Mean of the per-question mean daily Brier; null without a scored day.</param>
/// <param name="PeerSum">Σ Peer.</param>
/// <param name="BaselineSum">Σ Baseline.</param>
/// <param name="CoverageSum">Σ coverage.</param>
public sealed record LeaderboardTotals(
    int Questions, int DailyQuestions, decimal? RelativeBrierSum, decimal? MeanDailyBrierMean, double PeerSum, double BaselineSum, double CoverageSum)
{
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
        "peer" => PeerSum / Math.Max(Leaderboards.GlobalPeerCoverageFloor, CoverageSum),
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
