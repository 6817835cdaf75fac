namespace ForecastLedger.Domain.Scoring;

/// <summary>
/// Scores across questions (scoring.md §3.4). Only questions with <see cref="ScoringStatus.Scored"/> count, so annulled
/// and unresolved questions are excluded (§6).
/// </summary>
public static class Leaderboards
{
    /// <summary>Minimum coverage sum in the global Peer denominator (Metaculus scoring/utils.py).</summary>
    public const double GlobalPeerCoverageFloor = 30.0;

    /// <summary>Metaculus prize take <c>max(total, 0)²</c> (§3.4).</summary>
    public static double PrizeTake(double totalPeer) => Math.Pow(Math.Max(totalPeer, 0.0), 2);

    /// <summary>Tournament score <c>Σ_q Peer_i,q·w_q</c>, ranked by total Peer (§3.4).</summary>
    public static IReadOnlyList<TournamentStanding> PeerTournament(IEnumerable<WeightedQuestionScores> questions)
    {
        var sums = Sum(questions);
        return RankBy(sums, s => s.Peer, ScoreOrientation.HigherIsBetter)
            .Select(r => new TournamentStanding(r.Id, r.Score, PrizeTake(r.Score), sums[r.Id].Coverage, sums[r.Id].Count, r.Rank))
            .ToArray();
    }

    /// <summary>Global Peer leaderboard <c>Σ Peer·w / max(30, Σ Coverage·w)</c> (§3.4).</summary>
    public static IReadOnlyList<GlobalStanding> GlobalPeer(IEnumerable<WeightedQuestionScores> questions)
    {
        var sums = Sum(questions);
        return Global(sums, s => s.Peer / Math.Max(GlobalPeerCoverageFloor, s.Coverage), s => s.Peer);
    }

    /// <summary>Global Baseline leaderboard <c>Σ Baseline·w</c> (§3.4; with the default weight 1 this is <c>Σ Baseline</c>).</summary>
    public static IReadOnlyList<GlobalStanding> GlobalBaseline(IEnumerable<WeightedQuestionScores> questions)
    {
        var sums = Sum(questions);
        return Global(sums, s => s.Baseline, s => s.Baseline);
    }

    /// <summary>Relative Brier across questions, <c>Σ_q RB_i,q</c>, with the mean of per-question MDB (§3.4).</summary>
    public static IReadOnlyList<RelativeBrierStanding> RelativeBrier(IEnumerable<DailyBrierResult> questions)
    {
        var perForecaster = questions
            .Where(q => q.Status == ScoringStatus.Scored)
            .SelectMany(q => q.Forecasters)
            .GroupBy(s => s.ForecasterId, StringComparer.Ordinal)
            .ToDictionary(
                g => g.Key,
                g => (Total: g.Sum(s => s.RelativeBrier), Mean: g.Average(s => s.MeanDailyBrier), Count: g.Count()),
                StringComparer.Ordinal);
        return Ranking.Rank(perForecaster.Select(p => (p.Key, (double)p.Value.Total)), ScoreOrientation.LowerIsBetter)
            .Select(r => new RelativeBrierStanding(r.Id, perForecaster[r.Id].Total, perForecaster[r.Id].Mean, perForecaster[r.Id].Count, r.Rank))
            .ToArray();
    }

    private static IReadOnlyList<GlobalStanding> Global(
        Dictionary<string, Sums> sums, Func<Sums, double> score, Func<Sums, double> scoreSum) =>
        RankBy(sums, score, ScoreOrientation.HigherIsBetter)
            .Select(r => new GlobalStanding(r.Id, r.Score, scoreSum(sums[r.Id]), sums[r.Id].Coverage, sums[r.Id].Count, r.Rank))
            .ToArray();

    private static IReadOnlyList<RankedScore> RankBy(Dictionary<string, Sums> sums, Func<Sums, double> score, ScoreOrientation orientation) =>
        Ranking.Rank(sums.Select(s => (s.Key, score(s.Value))), orientation);

    private static Dictionary<string, Sums> Sum(IEnumerable<WeightedQuestionScores> questions)
    {
        var sums = new Dictionary<string, Sums>(StringComparer.Ordinal);
        foreach (var question in questions.Where(q => q.Scores.Status == ScoringStatus.Scored))
        {
            foreach (var score in question.Scores.Forecasters)
            {
                var current = sums.GetValueOrDefault(score.ForecasterId);
                sums[score.ForecasterId] = new Sums(
                    current.Peer + (score.Peer * question.Weight),
                    current.Baseline + (score.Baseline * question.Weight),
                    current.Coverage + (score.Coverage * question.Weight),
                    current.Count + 1);
            }
        }

        return sums;
    }

    private readonly record struct Sums(double Peer, double Baseline, double Coverage, int Count);
}
