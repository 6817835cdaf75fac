using ForecastLedger.Domain.Scoring;
using Npgsql;

namespace ForecastLedger.Api.Features.Scoring;

/// <summary>
/// One forecaster's scores on one resolved question as stored in <c>question_scores</c>: the Domain
/// <see cref="QuestionScore"/> (the one definition of each figure) under the row's key.
/// </summary>
/// <param name="QuestionId">The question (the key's first half).</param>
/// <param name="ForecasterId">The forecaster (the key's second half; <see cref="QuestionScore.ForecasterId"/> as a uuid).</param>
/// <param name="Score">The scores.</param>
public sealed record QuestionScoreRow(Guid QuestionId, Guid ForecasterId, QuestionScore Score)
{
    /// <summary>
    /// A row read from columns 0 to 13 in table order: <c>question_id, forecaster_id, final_brier, mean_daily_brier,
    /// median_score, participation, relative_brier, log_score, baseline, peer, coverage, truncated, days_scored, scoring_days</c>.
    /// </summary>
    public static QuestionScoreRow Read(NpgsqlDataReader reader)
    {
        var forecasterId = reader.GetGuid(1);
        return new QuestionScoreRow(reader.GetGuid(0), forecasterId, new QuestionScore(
            forecasterId.ToString(),
            reader.IsDBNull(2) ? null : reader.GetDecimal(2),
            reader.IsDBNull(3) ? null : reader.GetDecimal(3),
            reader.IsDBNull(4) ? null : reader.GetDecimal(4),
            reader.GetDecimal(5),
            reader.IsDBNull(6) ? null : reader.GetDecimal(6),
            reader.GetDouble(7),
            reader.GetDouble(8),
            reader.GetDouble(9),
            reader.GetDouble(10),
            reader.GetBoolean(11),
            reader.GetInt32(12),
            reader.GetInt32(13)));
    }

    /// <summary>The leaderboard totals with this row's question added.</summary>
    public LeaderboardTotals AddTo(LeaderboardTotals totals) =>
        totals.Add(Score.MeanDailyBrier, Score.RelativeBrier, Score.Peer, Score.Baseline, Score.Coverage);
}
