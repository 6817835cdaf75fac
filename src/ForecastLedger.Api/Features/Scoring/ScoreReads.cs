using System.Text.Json;
using ForecastLedger.Api.Features.PointInTime;
using ForecastLedger.Api.Features.Questions;
using ForecastLedger.Api.Infrastructure;
using ForecastLedger.Api.Infrastructure.Caching;
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

    /// <summary>A question's scores in forecaster order, after <paramref name="after"/>, with handles.</summary>
    public async Task<IReadOnlyList<(QuestionScore Score, string? Handle)>> QuestionAsync(Guid questionId, Guid? after, int limit, CancellationToken ct)
    {
        await using var command = database.DataSource.CreateCommand($"""
            SELECT {QuestionScoreColumns.Of("s")}, f.handle
            FROM {Schema}.question_scores s LEFT JOIN {Schema}.forecasters f ON f.id = s.forecaster_id
            WHERE s.question_id = $1 AND ($2::uuid IS NULL OR s.forecaster_id > $2)
            ORDER BY s.forecaster_id LIMIT $3
            """);
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = questionId });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)after ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Uuid });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit });
        return await ReadAsync(command, reader => reader.IsDBNull(QuestionScoreColumns.Count) ? null : reader.GetString(QuestionScoreColumns.Count), ct);
    }

    /// <summary>Every score in <c>question_scores</c>, in key order: what tests compare across a rebuild.</summary>
    public static async Task<IReadOnlyList<QuestionScore>> AllAsync(NpgsqlDataSource dataSource, string schema, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand($"SELECT {QuestionScoreColumns.Of()} FROM {schema}.question_scores ORDER BY question_id, forecaster_id");
        return [.. (await ReadAsync(command, _ => 0, ct)).Select(r => r.Score)];
    }

    /// <summary>
    /// Totals per forecaster across the scored questions (optionally of one tag): one indexed read of the scores, summed
    /// with <see cref="ForecasterTotals.PerForecaster"/> (the code reads at a point use too), cached per projection ETag
    /// so a leaderboard read between two projection batches is a cache lookup.
    /// </summary>
    public async Task<IReadOnlyList<ForecasterTotals>> TotalsAsync(string etag, string? tag, CancellationToken ct) =>
        await cache.GetOrAddAsync(new CurrentTotalsKey(Schema, etag, tag), async () =>
        {
            await using var command = database.DataSource.CreateCommand(TotalsSql(Schema));
            return await ReadTotalsAsync(command, tag, ct);
        });

    /// <summary>The scores leaderboard totals sum, optionally of the questions with tag <c>$1</c>, with handles and bot flags.</summary>
    public static string TotalsSql(string schema) => $"""
        SELECT {QuestionScoreColumns.Of("s")}, f.handle, coalesce(f.is_bot, false)
        FROM {schema}.question_scores s LEFT JOIN {schema}.forecasters f ON f.id = s.forecaster_id
        WHERE ($1::text IS NULL OR s.tags @> ARRAY[$1::text])
        """;

    /// <summary>Runs a <see cref="TotalsSql"/> command (on any connection, e.g. an export's snapshot) and sums the totals.</summary>
    public static async Task<IReadOnlyList<ForecasterTotals>> ReadTotalsAsync(NpgsqlCommand command, string? tag, CancellationToken ct)
    {
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)tag ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        var handle = QuestionScoreColumns.Count;
        var rows = await ReadAsync(command, reader => (Handle: reader.IsDBNull(handle) ? null : reader.GetString(handle), IsBot: reader.GetBoolean(handle + 1)), ct);
        var who = new Dictionary<string, (string?, bool)>(StringComparer.Ordinal);
        foreach (var (score, forecaster) in rows)
        {
            who[score.ForecasterId] = forecaster;
        }

        return ForecasterTotals.PerForecaster(rows.Select(r => r.Score), id => who[id.ToString()]);
    }

    /// <summary>A forecaster's scores with the questions they score (resolved, not annulled), in one indexed statement.</summary>
    public async Task<IReadOnlyList<(QuestionScore Score, QuestionView View)>> ForecasterAsync(Guid forecasterId, CancellationToken ct)
    {
        await using var command = database.DataSource.CreateCommand($"""
            SELECT {QuestionScoreColumns.Of("s")}, q.document::text
            FROM {Schema}.question_scores s JOIN {Schema}.questions q ON q.id = s.question_id
            WHERE s.forecaster_id = $1
            """);
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = forecasterId });
        return await ReadAsync(command,
            reader => JsonSerializer.Deserialize<QuestionView>(reader.GetString(QuestionScoreColumns.Count), EventStoreOptions.DefaultJson)!, ct);
    }

    /// <summary>Each row's score with what <paramref name="extra"/> reads from the columns after it.</summary>
    private static async Task<IReadOnlyList<(QuestionScore Score, T Extra)>> ReadAsync<T>(NpgsqlCommand command, Func<NpgsqlDataReader, T> extra, CancellationToken ct)
    {
        var rows = new List<(QuestionScore, T)>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            rows.Add((QuestionScoreColumns.Read(reader), extra(reader)));
        }

        return rows;
    }
}
