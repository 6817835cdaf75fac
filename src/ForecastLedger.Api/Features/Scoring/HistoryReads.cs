using System.Text.Json;
using ForecastLedger.Api.Features.Questions;
using ForecastLedger.Api.Infrastructure;
using ForecastLedger.Domain.Scoring;
using ForecastLedger.EventStore;
using Npgsql;

namespace ForecastLedger.Api.Features.Scoring;

/// <summary>Reads of the inline read models (questions, forecast_history) that the crowd and calibration are computed from.</summary>
public sealed class HistoryReads(LedgerDatabase database, EventStoreOptions options)
{
    private static readonly JsonSerializerOptions Json = EventStoreOptions.DefaultJson;

    private string Schema => options.Schema;

    /// <summary>
    /// What one question's crowd depends on, read in one statement: its stream version, its last sequenced forecast's
    /// seq and, when bots are left out, a digest of the set of bots (flagging a forecaster changes which forecasts count;
    /// the bot set is read from a partial index of the bots alone). Only forecasts the global chain has sequenced count
    /// (docs/adr/0024): below its head nothing can still commit, so a version names one set of forecasts for good.
    /// </summary>
    public async Task<CrowdVersion> CrowdVersionAsync(QuestionView view, bool includeBots, CancellationToken ct)
    {
        await using var command = database.HotReads.CreateCommand($"""
            SELECT (SELECT coalesce(max(seq_id), 0) FROM {Schema}.forecast_history
                    WHERE question_id = $1 AND seq_id <= {LedgerSequencing.SequencedHead(Schema)}),
                   CASE WHEN $2 THEN NULL ELSE {BotSetDigest} END
            """);
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = view.Id });
        command.Parameters.Add(new NpgsqlParameter<bool> { TypedValue = includeBots });
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return new CrowdVersion(view.Version, reader.GetInt64(0), reader.IsDBNull(1) ? null : reader.GetString(1));
    }

    /// <summary>
    /// An ETag for everything computed across questions: the newest seq in either read model, and the set of bots (the
    /// crowd's calibration leaves them out).
    /// </summary>
    public async Task<string> LedgerETagAsync(CancellationToken ct)
    {
        await using var command = database.HotReads.CreateCommand(
            $"SELECT greatest((SELECT coalesce(max(last_seq), 0) FROM {Schema}.questions), (SELECT coalesce(max(seq_id), 0) FROM {Schema}.forecast_history)), {BotSetDigest}");
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return $"\"l{reader.GetInt64(0)}-b{reader.GetString(1)}\"";
    }

    /// <summary>A digest of the set of bots, read from the bots' partial index (migration 0007); empty when there are none.</summary>
    private string BotSetDigest => $"(SELECT coalesce(left(md5(string_agg(id::text, ',' ORDER BY id)), 16), '') FROM {Schema}.forecasters WHERE is_bot)";

    /// <summary>True when a forecaster with this id is registered.</summary>
    public async Task<bool> ForecasterExistsAsync(Guid id, CancellationToken ct)
    {
        await using var command = database.DataSource.CreateCommand($"SELECT EXISTS (SELECT 1 FROM {Schema}.forecasters WHERE id = $1)");
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = id });
        return (bool)(await command.ExecuteScalarAsync(ct))!;
    }

    /// <summary>
    /// One question's forecasts with seq in (<paramref name="afterSeq"/>, <paramref name="toSeq"/>] as scoring points,
    /// bots' left out unless <paramref name="includeBots"/> (an index-only range scan, migration 0008).
    /// </summary>
    public async Task<IReadOnlyList<ForecastPoint>> QuestionPointsAsync(Guid questionId, bool includeBots, long afterSeq, long toSeq, CancellationToken ct)
    {
        await using var command = database.DataSource.CreateCommand($"""
            SELECT h.forecaster_id, h.seq_id, h.at, h.probabilities FROM {Schema}.forecast_history h
            WHERE h.question_id = $1 AND h.seq_id > $3 AND h.seq_id <= $4
              AND ($2 OR NOT EXISTS (SELECT 1 FROM {Schema}.forecasters f WHERE f.id = h.forecaster_id AND f.is_bot))
            ORDER BY h.seq_id
            """);
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = questionId });
        command.Parameters.Add(new NpgsqlParameter<bool> { TypedValue = includeBots });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = afterSeq });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = toSeq });
        var points = new List<ForecastPoint>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            points.Add(new ForecastPoint(reader.GetGuid(0).ToString(), reader.GetFieldValue<DateTimeOffset>(2), reader.GetInt64(1),
                reader.IsDBNull(3) ? null : reader.GetFieldValue<int[]>(3)));
        }

        return points;
    }

    /// <summary>
    /// Every resolved, non-annulled question with its forecasts (of one forecaster, or of every human forecaster), in two
    /// statements.
    /// </summary>
    public async Task<IReadOnlyList<(QuestionView View, IReadOnlyList<ForecastPoint> Points)>> ScoredQuestionsAsync(Guid? forecaster, CancellationToken ct)
    {
        var views = new Dictionary<Guid, QuestionView>();
        await using (var command = database.DataSource.CreateCommand($"SELECT document::text FROM {Schema}.questions WHERE state = 'resolved' ORDER BY id"))
        {
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var view = JsonSerializer.Deserialize<QuestionView>(reader.GetString(0), Json)!;
                views[view.Id] = view;
            }
        }

        var points = views.Keys.ToDictionary(id => id, _ => new List<ForecastPoint>());
        await using (var command = database.DataSource.CreateCommand($"""
            SELECT h.question_id, h.forecaster_id, h.seq_id, h.at, h.probabilities FROM {Schema}.forecast_history h
            WHERE h.question_id = ANY($1) AND (h.forecaster_id = $2
                OR ($2 IS NULL AND NOT EXISTS (SELECT 1 FROM {Schema}.forecasters f WHERE f.id = h.forecaster_id AND f.is_bot)))
            ORDER BY h.question_id, h.seq_id
            """))
        {
            command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = [.. views.Keys] });
            command.Parameters.Add(new NpgsqlParameter { Value = (object?)forecaster ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Uuid });
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                points[reader.GetGuid(0)].Add(new ForecastPoint(reader.GetGuid(1).ToString(), reader.GetFieldValue<DateTimeOffset>(3), reader.GetInt64(2),
                    reader.IsDBNull(4) ? null : reader.GetFieldValue<int[]>(4)));
            }
        }

        return [.. views.Values.Select(v => (v, (IReadOnlyList<ForecastPoint>)points[v.Id]))];
    }
}
