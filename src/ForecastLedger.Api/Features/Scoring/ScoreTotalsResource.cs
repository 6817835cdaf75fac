using ForecastLedger.Domain.Scoring;

namespace ForecastLedger.Api.Features.Scoring;

/// <summary>Totals across a forecaster's scored questions up to and including one question (scoring.md §3.4).</summary>
/// <param name="Questions">Scored questions so far.</param>
/// <param name="DailyQuestions">Those with at least one scored day.</param>
/// <param name="RelativeBrierSum">Σ relative Brier (the <c>relative-brier</c> leaderboard score); null before the first scored day.</param>
/// <param name="MeanDailyBrierMean">Mean of the per-question mean daily Brier (the <c>mean-brier</c> score); null before the first scored day.</param>
/// <param name="PeerSum">Σ Peer.</param>
/// <param name="PeerScore">Σ Peer / max(30, Σ coverage) (the <c>peer</c> leaderboard score).</param>
/// <param name="BaselineSum">Σ Baseline (the <c>baseline</c> leaderboard score).</param>
/// <param name="CoverageSum">Σ coverage.</param>
public sealed record ScoreTotalsResource(int Questions, int DailyQuestions, decimal? RelativeBrierSum, decimal? MeanDailyBrierMean, double PeerSum,
    double PeerScore, double BaselineSum, double CoverageSum)
{
    public static ScoreTotalsResource From(LeaderboardTotals t) => new(t.Questions, t.DailyQuestions, t.RelativeBrierSum, t.MeanDailyBrierMean, t.PeerSum,
        t.PeerScore, t.BaselineSum, t.CoverageSum);
}
