using ForecastLedger.Domain.Scoring;
using Npgsql;

namespace ForecastLedger.Api.Features.Scoring;

/// <summary>How a Domain <see cref="QuestionScore"/> is read from a <c>question_scores</c> row: the one select list and its reader.</summary>
public static class QuestionScoreColumns
{
    private static readonly string[] Names =
    [
        "question_id", "forecaster_id", "final_brier", "mean_daily_brier", "median_score", "participation", "relative_brier",
        "log_score", "baseline", "peer", "coverage", "truncated", "days_scored", "scoring_days",
    ];

    /// <summary>The number of columns <see cref="Read"/> takes; a query's further columns start at this ordinal.</summary>
    public static int Count => Names.Length;

    /// <summary>The select list <see cref="Read"/> expects, each column qualified with <paramref name="alias"/> when one is given.</summary>
    public static string Of(string? alias = null) => string.Join(", ", Names.Select(n => alias is null ? n : $"{alias}.{n}"));

    /// <summary>A score read from columns 0 to 13 as <see cref="Of"/> lists them.</summary>
    public static QuestionScore Read(NpgsqlDataReader reader) => new(
        reader.GetGuid(0),
        reader.GetGuid(1).ToString(),
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
        reader.GetInt32(13));
}
