using ForecastLedger.Api.Infrastructure;
using ForecastLedger.EventStore;
using Npgsql;

namespace ForecastLedger.Api.Features.Scoring;

/// <summary>A forecaster's totals across scored questions, read from <c>question_scores</c> in one grouped query.</summary>
public sealed record ForecasterTotals(
    Guid ForecasterId,
    string? Handle,
    bool IsBot,
    int Questions,
    int DailyQuestions,
    decimal? RelativeBrierSum,
    decimal? MeanDailyBrierMean,
    double PeerSum,
    double BaselineSum,
    double CoverageSum);

/// <summary>Reads of the scoring projections, and the ETag they are served under.</summary>
public sealed class ScoreReads(LedgerDatabase database, EventStoreOptions options)
{
    private string Schema => options.Schema;

    /// <summary>
    /// The ETag of everything the <c>question_scores</c> projection serves: its checkpoint and the time it moved, so a
    /// rebuild (which resets the checkpoint) never repeats an old tag.
    /// </summary>
    public async Task<string> ETagAsync(CancellationToken ct)
    {
        await using var command = database.DataSource.CreateCommand(
            $"SELECT last_seq_id, last_updated FROM {Schema}.projection_progress WHERE name = $1");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = QuestionScoresProjection.ProjectionName });
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct)
            ? $"\"s{reader.GetInt64(0)}-{reader.GetFieldValue<DateTimeOffset>(1).UtcTicks}\""
            : "\"s0\"";
    }

    /// <summary>A question's score rows in forecaster order, after <paramref name="after"/>, with handles.</summary>
    public async Task<IReadOnlyList<(QuestionScoreRow Row, string? Handle)>> QuestionAsync(Guid questionId, Guid? after, int limit, CancellationToken ct)
    {
        await using var command = database.DataSource.CreateCommand($"""
            SELECT s.question_id, s.forecaster_id, s.final_brier, s.mean_daily_brier, s.median_score, s.participation, s.relative_brier,
                   s.log_score, s.baseline, s.peer, s.coverage, s.truncated, s.days_scored, s.scoring_days, f.handle
            FROM {Schema}.question_scores s LEFT JOIN {Schema}.forecasters f ON f.id = s.forecaster_id
            WHERE s.question_id = $1 AND ($2::uuid IS NULL OR s.forecaster_id > $2)
            ORDER BY s.forecaster_id LIMIT $3
            """);
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = questionId });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)after ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Uuid });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit });
        var rows = new List<(QuestionScoreRow, string?)>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            rows.Add((Read(reader), reader.IsDBNull(14) ? null : reader.GetString(14)));
        }

        return rows;
    }

    /// <summary>Every row of <c>question_scores</c>, in key order: what tests compare across a rebuild.</summary>
    public static async Task<IReadOnlyList<QuestionScoreRow>> AllAsync(NpgsqlDataSource dataSource, string schema, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand($"""
            SELECT question_id, forecaster_id, final_brier, mean_daily_brier, median_score, participation, relative_brier,
                   log_score, baseline, peer, coverage, truncated, days_scored, scoring_days
            FROM {schema}.question_scores ORDER BY question_id, forecaster_id
            """);
        var rows = new List<QuestionScoreRow>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            rows.Add(Read(reader));
        }

        return rows;
    }

    /// <summary>Totals per forecaster across the scored questions (optionally of one tag), in one indexed, grouped query.</summary>
    public async Task<IReadOnlyList<ForecasterTotals>> TotalsAsync(string? tag, CancellationToken ct)
    {
        await using var command = database.DataSource.CreateCommand($"""
            SELECT s.forecaster_id, f.handle, coalesce(f.is_bot, false), count(*)::int, count(s.relative_brier)::int,
                   sum(s.relative_brier), avg(s.mean_daily_brier), sum(s.peer), sum(s.baseline), sum(s.coverage)
            FROM {Schema}.question_scores s LEFT JOIN {Schema}.forecasters f ON f.id = s.forecaster_id
            WHERE ($1::text IS NULL OR s.tags @> ARRAY[$1::text])
            GROUP BY s.forecaster_id, f.handle, f.is_bot
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)tag ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        var totals = new List<ForecasterTotals>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            totals.Add(new ForecasterTotals(
                reader.GetGuid(0),
                reader.IsDBNull(1) ? null : reader.GetString(1),
                reader.GetBoolean(2),
                reader.GetInt32(3),
                reader.GetInt32(4),
                reader.IsDBNull(5) ? null : reader.GetDecimal(5),
                reader.IsDBNull(6) ? null : reader.GetDecimal(6),
                reader.GetDouble(7),
                reader.GetDouble(8),
                reader.GetDouble(9)));
        }

        return totals;
    }

    private static QuestionScoreRow Read(NpgsqlDataReader reader) => new(
        reader.GetGuid(0),
        reader.GetGuid(1),
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

/// <summary>Conditional GET with the projection ETag.</summary>
public static class ScoreCaching
{
    /// <summary>Sets <c>ETag</c> and <c>Cache-Control</c>; true when the client's <c>If-None-Match</c> already names it (answer 304).</summary>
    public static bool NotModified(HttpContext context, string etag)
    {
        context.Response.Headers.ETag = etag;
        context.Response.Headers.CacheControl = "public, no-cache";
        var match = context.Request.Headers.IfNoneMatch.ToString();
        return !string.IsNullOrEmpty(match)
            && (match.Trim() == "*" || match.Split(',').Select(m => m.Trim()).Any(m => m == etag || m == "W/" + etag));
    }
}
