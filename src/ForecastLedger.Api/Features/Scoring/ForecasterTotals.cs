using ForecastLedger.Api.Features.PointInTime;
using ForecastLedger.Domain.Scoring;

namespace ForecastLedger.Api.Features.Scoring;

/// <summary>A forecaster's leaderboard totals (the Domain <see cref="LeaderboardTotals"/>) with who the forecaster is.</summary>
public sealed record ForecasterTotals(Guid ForecasterId, string? Handle, bool IsBot, LeaderboardTotals Totals)
{
    /// <summary>
    /// Leaderboard totals per forecaster: rows grouped by forecaster, each summed in question id order (PostgreSQL's uuid
    /// order), forecasters in id order. The current leaderboard, the one at a point and the audit export share this.
    /// </summary>
    public static IReadOnlyList<ForecasterTotals> PerForecaster(IEnumerable<QuestionScoreRow> rows, Func<Guid, (string? Handle, bool IsBot)> who) =>
        [.. rows.GroupBy(r => r.ForecasterId)
            .OrderBy(g => g.Key, PgUuidOrder.Instance)
            .Select(g =>
            {
                var totals = g.OrderBy(r => r.QuestionId, PgUuidOrder.Instance).Aggregate(LeaderboardTotals.Empty, (t, r) => r.AddTo(t));
                var (handle, isBot) = who(g.Key);
                return new ForecasterTotals(g.Key, handle, isBot, totals);
            })];
}
