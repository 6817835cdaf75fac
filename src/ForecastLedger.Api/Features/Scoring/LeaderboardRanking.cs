using ForecastLedger.Domain.Scoring;

namespace ForecastLedger.Api.Features.Scoring;

/// <summary>Leaderboard entries from totals: what the leaderboard endpoint serves and the audit export writes.</summary>
public static class LeaderboardRanking
{
    /// <summary>Ranks totals with the Domain <see cref="Ranking"/> (ties 1, 1, 3), per the metric's formula (§3.4).</summary>
    public static IReadOnlyList<LeaderboardEntry> Rank(string metric, IReadOnlyList<ForecasterTotals> totals)
    {
        var byId = totals.ToDictionary(t => t.ForecasterId.ToString());
        return [.. LeaderboardTotals.Rank(metric, byId.Select(kv => (kv.Key, kv.Value.Totals)))
            .Select(r =>
            {
                var t = byId[r.Id];
                return new LeaderboardEntry(r.Rank, t.ForecasterId, t.Handle, r.Score, t.Totals.QuestionsCounted(metric), t.Totals.CoverageSum, t.IsBot);
            })];
    }
}
