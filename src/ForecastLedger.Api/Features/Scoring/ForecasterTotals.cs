using ForecastLedger.Domain.Scoring;

namespace ForecastLedger.Api.Features.Scoring;

/// <summary>A forecaster's leaderboard totals (the Domain <see cref="LeaderboardTotals"/>) with who the forecaster is.</summary>
public sealed record ForecasterTotals(Guid ForecasterId, string? Handle, bool IsBot, LeaderboardTotals Totals)
{
    /// <summary>
    /// The Domain's <see cref="LeaderboardTotals.PerForecaster"/> with who each forecaster is. The current leaderboard,
    /// the one at a point and the audit export share this.
    /// </summary>
    public static IReadOnlyList<ForecasterTotals> PerForecaster(IEnumerable<QuestionScore> scores, Func<Guid, (string? Handle, bool IsBot)> who) =>
        [.. LeaderboardTotals.PerForecaster(scores).Select(t =>
        {
            var id = Guid.Parse(t.ForecasterId);
            var (handle, isBot) = who(id);
            return new ForecasterTotals(id, handle, isBot, t.Totals);
        })];
}
