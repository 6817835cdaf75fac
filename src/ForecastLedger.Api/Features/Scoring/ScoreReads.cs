using System.Text.Json;
using ForecastLedger.Api.Features.PointInTime;
using ForecastLedger.Api.Features.Questions;
using ForecastLedger.Api.Infrastructure;
using ForecastLedger.Domain.Scoring;
using ForecastLedger.EventStore;
using Npgsql;

namespace ForecastLedger.Api.Features.Scoring;

/// <summary>Reads of the scoring projections, and the ETag they are served under.</summary>
public sealed class ScoreReads(LedgerDatabase database, EventStoreOptions options, ReadCache cache)
{
    private string Schema => options.Schema;

    /// <summary>
    /// The ETag of everything the <c>question_scores</c> projection serves: its generation, which moves only when score rows
    /// change and is never reset (not even by a rebuild), so a tag is never repeated for other content.
    /// </summary>
    public async Task<string> ETagAsync(CancellationToken ct)
    {
        await using var command = database.HotReads.CreateCommand(
            $"SELECT generation FROM {Schema}.{QuestionScoresProjection.GenerationTable}");
        try
        {
            return $"\"g{(long)(await command.ExecuteScalarAsync(ct) ?? 0L)}\"";
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            // The daemon has not created the projection's tables yet: nothing is scored.
            return "\"g0\"";
        }
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
            rows.Add((QuestionScoreRow.Read(reader), reader.IsDBNull(14) ? null : reader.GetString(14)));
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
            rows.Add(QuestionScoreRow.Read(reader));
        }

        return rows;
    }

    /// <summary>
    /// Totals per forecaster across the scored questions (optionally of one tag): one indexed read of the score rows,
    /// summed with <see cref="ForecasterTotals.PerForecaster"/> (the code reads at a point use too), cached per projection
    /// ETag so a leaderboard read between two projection batches is a cache lookup.
    /// </summary>
    public async Task<IReadOnlyList<ForecasterTotals>> TotalsAsync(string etag, string? tag, CancellationToken ct) =>
        await cache.GetOrAddAsync($"totals|{Schema}|{etag}|{tag}", async () =>
        {
            await using var command = database.DataSource.CreateCommand(TotalsSql(Schema));
            return await ReadTotalsAsync(command, tag, ct);
        });

    /// <summary>The score rows leaderboard totals sum, optionally of the questions with tag <c>$1</c>, with handles and bot flags.</summary>
    public static string TotalsSql(string schema) => $"""
        SELECT s.question_id, s.forecaster_id, s.mean_daily_brier, s.relative_brier, s.peer, s.baseline, s.coverage,
               f.handle, coalesce(f.is_bot, false)
        FROM {schema}.question_scores s LEFT JOIN {schema}.forecasters f ON f.id = s.forecaster_id
        WHERE ($1::text IS NULL OR s.tags @> ARRAY[$1::text])
        """;

    /// <summary>Runs a <see cref="TotalsSql"/> command (on any connection, e.g. an export's snapshot) and sums the totals.</summary>
    public static async Task<IReadOnlyList<ForecasterTotals>> ReadTotalsAsync(NpgsqlCommand command, string? tag, CancellationToken ct)
    {
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)tag ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        var rows = new List<QuestionScoreRow>();
        var who = new Dictionary<Guid, (string?, bool)>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var forecaster = reader.GetGuid(1);
            rows.Add(new QuestionScoreRow(reader.GetGuid(0), forecaster, new QuestionScore(forecaster.ToString(), null,
                reader.IsDBNull(2) ? null : reader.GetDecimal(2), null, 0m, reader.IsDBNull(3) ? null : reader.GetDecimal(3), 0,
                reader.GetDouble(5), reader.GetDouble(4), reader.GetDouble(6), false, 0, 0)));
            who[forecaster] = (reader.IsDBNull(7) ? null : reader.GetString(7), reader.GetBoolean(8));
        }

        return ForecasterTotals.PerForecaster(rows, id => who[id]);
    }

    /// <summary>A forecaster's score rows with the questions they score (resolved, not annulled), in one indexed statement.</summary>
    public async Task<IReadOnlyList<(QuestionScoreRow Row, QuestionView View)>> ForecasterAsync(Guid forecasterId, CancellationToken ct)
    {
        await using var command = database.DataSource.CreateCommand($"""
            SELECT s.question_id, s.forecaster_id, s.final_brier, s.mean_daily_brier, s.median_score, s.participation, s.relative_brier,
                   s.log_score, s.baseline, s.peer, s.coverage, s.truncated, s.days_scored, s.scoring_days, q.document::text
            FROM {Schema}.question_scores s JOIN {Schema}.questions q ON q.id = s.question_id
            WHERE s.forecaster_id = $1
            """);
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = forecasterId });
        var rows = new List<(QuestionScoreRow, QuestionView)>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            rows.Add((QuestionScoreRow.Read(reader), JsonSerializer.Deserialize<QuestionView>(reader.GetString(14), EventStoreOptions.DefaultJson)!));
        }

        return rows;
    }
}
