namespace ForecastLedger.Domain.Scoring;

/// <summary>
/// Competition ranking with ties "1, 1, 3" (scoring.md §3.4): sorted best first, an entry whose score is close to the
/// previous entry's shares its rank, and the next distinct score takes its position. "Close" is numpy's default
/// <c>isclose</c>, <c>|a − b| ≤ 1e-8 + 1e-5·|b|</c>, as in Metaculus <c>assign_ranks</c>. Equal scores are listed in
/// ordinal id order so the output is deterministic.
/// </summary>
public static class Ranking
{
    public static IReadOnlyList<RankedScore> Rank(IEnumerable<(string Id, double Score)> scores, ScoreOrientation orientation)
    {
        var ordered = orientation == ScoreOrientation.HigherIsBetter
            ? scores.OrderByDescending(s => s.Score).ThenBy(s => s.Id, StringComparer.Ordinal)
            : scores.OrderBy(s => s.Score).ThenBy(s => s.Id, StringComparer.Ordinal);
        var ranked = new List<RankedScore>();
        foreach (var (id, score) in ordered)
        {
            var position = ranked.Count + 1;
            var rank = ranked.Count > 0 && IsClose(score, ranked[^1].Score) ? ranked[^1].Rank : position;
            ranked.Add(new RankedScore(id, score, rank));
        }

        return ranked;
    }

    /// <summary>numpy <c>isclose(a, b)</c> with its defaults rtol = 1e-5, atol = 1e-8.</summary>
    public static bool IsClose(double a, double b) => Math.Abs(a - b) <= 1e-8 + (1e-5 * Math.Abs(b));
}
