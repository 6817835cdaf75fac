using System.Buffers;
using System.Data;
using System.IO.Pipelines;
using System.Text.Json;
using ForecastLedger.Api.Features.Questions;
using ForecastLedger.Api.Features.Scoring;
using ForecastLedger.Domain;
using ForecastLedger.Domain.Forecasters;
using ForecastLedger.Domain.Forecasts;
using ForecastLedger.Domain.Questions;
using ForecastLedger.Domain.Scoring;
using ForecastLedger.EventStore;
using ForecastLedger.EventStore.Projections;
using Npgsql;

namespace ForecastLedger.Api.Features.Audit;

/// <summary>
/// Takes one REPEATABLE READ snapshot in which every read model the scores are served from is exactly at one seq S, and
/// writes the projections export from it (<see cref="ProjectionsHeaderLine"/> and the lines after it).
/// </summary>
/// <remarks>
/// <para>
/// The <c>question_scores</c> rows and its checkpoint C are read in the same snapshot. The rows are exactly at S when
/// C ≥ S and no question, forecast or forecaster event with a seq above S is visible in the snapshot: the projection
/// recomputes a question from the inline read models, which can run ahead of its batch, but only through events of
/// that question, and none exist after S. The same condition makes the <c>questions</c>, <c>forecasters</c> and
/// <c>forecast_history</c> read models exactly at S too, so the crowd and calibration lines are computed from them the
/// way their endpoints compute them.
/// </para>
/// <para>
/// Memory: the forecast history up to S is held once (one small row per forecast) to compute the crowd and the
/// calibration tables; the ledger export, not this one, is the constant-memory stream.
/// </para>
/// </remarks>
public sealed class ExportProjectionsSnapshot
{
    /// <summary>Equal bins of every calibration line (the calibration endpoints' default).</summary>
    public const int CalibrationBins = 10;

    private static readonly JsonSerializerOptions QuestionJson = EventStoreOptions.DefaultJson;

    /// <summary>The event types the exported figures depend on: question, forecast and forecaster events.</summary>
    public static readonly string[] RelevantTypes = [.. DomainEventTypes.All
        .Where(t => typeof(IQuestionEvent).IsAssignableFrom(t.Type) || typeof(IForecastEvent).IsAssignableFrom(t.Type)
            || typeof(IForecasterEvent).IsAssignableFrom(t.Type))
        .Select(t => t.Alias)];

    private readonly NpgsqlConnection _connection;
    private readonly NpgsqlTransaction _transaction;
    private readonly string _schema;

    private ExportProjectionsSnapshot(NpgsqlConnection connection, NpgsqlTransaction transaction, string schema, long seq, long checkpoint)
    {
        _connection = connection;
        _transaction = transaction;
        _schema = schema;
        Seq = seq;
        Checkpoint = checkpoint;
    }

    /// <summary>The seq every figure is at.</summary>
    public long Seq { get; }

    /// <summary>The projection's checkpoint in the snapshot.</summary>
    public long Checkpoint { get; }

    /// <summary>
    /// Opens a snapshot at <paramref name="atSeq"/> (or at the projection's checkpoint when null), retrying with fresh
    /// snapshots until <paramref name="wait"/> runs out while the projection has not caught up.
    /// On success the caller owns the connection and transaction (dispose the snapshot).
    /// </summary>
    public static async Task<(ExportProjectionsSnapshot? Snapshot, ProjectionsSnapshotFailure? Failure, string Detail)> OpenAsync(
        NpgsqlDataSource dataSource, string schema, long? atSeq, TimeSpan wait, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + wait;
        var connection = await dataSource.OpenConnectionAsync(ct);
        try
        {
            while (true)
            {
                var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
                var (checkpoint, status) = await ProgressAsync(connection, transaction, schema, ct);
                var seq = atSeq ?? checkpoint;
                string? retry;
                if (status == "stopped")
                {
                    await transaction.DisposeAsync();
                    await connection.DisposeAsync();
                    return (null, ProjectionsSnapshotFailure.Stopped, "The question_scores projection is stopped; see GET /api/admin/projections.");
                }
                else if (status != "running" || checkpoint < seq)
                {
                    retry = $"The question_scores projection is at seq {checkpoint} ({status}); the export needs seq {seq}.";
                }
                else if (await LaterRelevantSeqAsync(connection, transaction, schema, seq, ct) is { } later)
                {
                    if (atSeq is not null)
                    {
                        await transaction.DisposeAsync();
                        await connection.DisposeAsync();
                        return (null, ProjectionsSnapshotFailure.MovedPast,
                            $"Seq {later} changed questions, forecasts or forecasters after seq {seq}; the projections hold only their current state. Omit atSeq to export at the current position.");
                    }

                    retry = $"The ledger moved on to seq {later} while the export was being taken.";
                }
                else
                {
                    return (new ExportProjectionsSnapshot(connection, transaction, schema, seq, checkpoint), null, "");
                }

                await transaction.DisposeAsync();
                if (DateTime.UtcNow >= deadline)
                {
                    await connection.DisposeAsync();
                    return (null, ProjectionsSnapshotFailure.NotReached, retry);
                }

                await Task.Delay(100, ct);
            }
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Ends the snapshot.</summary>
    public async ValueTask DisposeAsync()
    {
        await _transaction.DisposeAsync();
        await _connection.DisposeAsync();
    }

    /// <summary>Writes every line of the export, in the documented order.</summary>
    public async Task WriteAsync(PipeWriter output, DateTimeOffset now, CancellationToken ct)
    {
        var lines = new NdjsonLineWriter(output);
        await lines.WriteAsync(new ProjectionsHeaderLine("header", ExportProjectionsFormat.Name, Seq, Checkpoint, now, CalibrationBins,
            [.. CrowdMethods.ByName.Keys], CrowdIncludesBots: false), ct);

        var questions = await QuestionsAsync(ct);
        foreach (var view in questions)
        {
            await lines.WriteAsync(new ProjectionsQuestionLine("question", view.Id, view.Slug, view.Options, view.OpensAt, view.ClosesAt, view.State,
                view.Resolution?.Outcome, view.Resolution?.KnownAt, view.Version), ct);
        }

        await WriteScoresAsync(lines, ct);

        var totals = await TotalsAsync(ct);
        foreach (var metric in LeaderboardTotals.Metrics)
        {
            await lines.WriteAsync(new ProjectionsLeaderboardLine("leaderboard", metric, LeaderboardRanking.Rank(metric, totals)), ct);
        }

        var history = await HistoryAsync(ct);
        foreach (var view in questions)
        {
            var human = history.GetValueOrDefault(view.Id)?.Where(h => !h.IsBot).Select(h => h.Point).ToArray() ?? [];
            var built = ForecastHistory.Build(view.Timeline(), human);
            foreach (var (name, method) in CrowdMethods.ByName)
            {
                var steps = CrowdForecast.History(built, method).Select(s => new CrowdStepResource(s.From, s.Until, s.ForecasterCount, s.Probabilities)).ToArray();
                await lines.WriteAsync(new ProjectionsCrowdLine("crowd", view.Id, name, IncludesBots: false, steps), ct);
            }
        }

        // As the calibration endpoints: resolved questions in id order; a forecaster's own points (bots included);
        // the crowd from human forecasts only.
        var resolved = questions.Where(q => q.State == QuestionView.Resolved).ToArray();
        var scheme = CalibrationBinScheme.Equal(CalibrationBins);
        foreach (var forecaster in await ForecastersAsync(history, ct))
        {
            var id = forecaster.ToString();
            var perQuestion = resolved
                .Select(q => Calibration.Points(q.Timeline(),
                    history.GetValueOrDefault(q.Id)?.Where(h => h.Point.ForecasterId == id).Select(h => h.Point).ToArray() ?? [], id))
                .Where(p => p.Count > 0)
                .ToArray();
            var report = Calibration.Analyse(perQuestion.SelectMany(p => p), scheme);
            await lines.WriteAsync(new ProjectionsCalibrationLine("calibration", CalibrationResource.From(id, perQuestion.Length, report)), ct);
        }

        var crowd = resolved
            .Select(q => QuestionScoring.CrowdCalibrationPoints(q.Timeline(),
                history.GetValueOrDefault(q.Id)?.Where(h => !h.IsBot).Select(h => h.Point).ToArray() ?? []))
            .Where(p => p.Count > 0)
            .ToArray();
        await lines.WriteAsync(new ProjectionsCalibrationLine("calibration",
            CalibrationResource.From("crowd", crowd.Length, Calibration.Analyse(crowd.SelectMany(p => p), scheme))), ct);

        await lines.WriteAsync(new ProjectionsEndLine("end", lines.Count), ct);
        await lines.FlushAsync(ct);
    }

    private static async Task<(long Checkpoint, string Status)> ProgressAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string schema, CancellationToken ct)
    {
        // The shard's progress on Marten's daemon, and whether it is stopped on an event (docs/adr/0027).
        await using var command = new NpgsqlCommand($"""
            SELECT p.last_seq_id, CASE WHEN EXISTS (SELECT 1 FROM {schema}.projection_stops s WHERE s.name = $1) THEN 'stopped' ELSE 'running' END
            FROM {schema}.mt_event_progression p WHERE p.name = $2
            """, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = QuestionScoresProjection.ProjectionName });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = MartenProjectionShard.ShardName(QuestionScoresProjection.ProjectionName) });
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? (reader.GetInt64(0), reader.GetString(1)) : (0, "absent");
    }

    private static async Task<long?> LaterRelevantSeqAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string schema, long seq, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"SELECT max(seq_id) FROM {schema}.events WHERE seq_id > $1 AND type = ANY($2)", connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = seq });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = RelevantTypes });
        return await command.ExecuteScalarAsync(ct) as long?;
    }

    private NpgsqlCommand Command(string sql) => new(sql, _connection, _transaction);

    private async Task<IReadOnlyList<QuestionView>> QuestionsAsync(CancellationToken ct)
    {
        await using var command = Command($"SELECT document::text FROM {_schema}.questions ORDER BY id");
        await using var reader = await command.ExecuteReaderAsync(ct);
        var views = new List<QuestionView>();
        while (await reader.ReadAsync(ct))
        {
            views.Add(JsonSerializer.Deserialize<QuestionView>(reader.GetString(0), QuestionJson)!);
        }

        return views;
    }

    private async Task WriteScoresAsync(NdjsonLineWriter lines, CancellationToken ct)
    {
        await using var command = Command($"""
            SELECT {QuestionScoreColumns.Of()} FROM {_schema}.question_scores ORDER BY question_id, forecaster_id
            """);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            await lines.WriteAsync(ProjectionsScoreLine.From(QuestionScoreColumns.Read(reader)), ct);
        }
    }

    /// <summary>The leaderboard totals, read and summed as <see cref="ScoreReads.TotalsAsync"/> does, inside this snapshot.</summary>
    private async Task<IReadOnlyList<ForecasterTotals>> TotalsAsync(CancellationToken ct)
    {
        await using var command = Command(ScoreReads.TotalsSql(_schema));
        return await ScoreReads.ReadTotalsAsync(command, null, ct);
    }

    private async Task<Dictionary<Guid, List<(ForecastPoint Point, bool IsBot)>>> HistoryAsync(CancellationToken ct)
    {
        await using var command = Command($"""
            SELECT h.question_id, h.forecaster_id, h.seq_id, h.at, h.probabilities, coalesce(f.is_bot, false)
            FROM {_schema}.forecast_history h LEFT JOIN {_schema}.forecasters f ON f.id = h.forecaster_id
            WHERE h.seq_id <= $1 ORDER BY h.question_id, h.seq_id
            """);
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = Seq });
        var history = new Dictionary<Guid, List<(ForecastPoint, bool)>>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var question = reader.GetGuid(0);
            if (!history.TryGetValue(question, out var points))
            {
                history[question] = points = [];
            }

            points.Add((new ForecastPoint(reader.GetGuid(1).ToString(), reader.GetFieldValue<DateTimeOffset>(3), reader.GetInt64(2),
                reader.IsDBNull(4) ? null : reader.GetFieldValue<int[]>(4)), reader.GetBoolean(5)));
        }

        return history;
    }

    /// <summary>Registered forecasters and anyone with a forecast, in id order (the calibration subjects).</summary>
    private async Task<IReadOnlyList<Guid>> ForecastersAsync(Dictionary<Guid, List<(ForecastPoint Point, bool IsBot)>> history, CancellationToken ct)
    {
        var ids = new HashSet<Guid>(history.Values.SelectMany(h => h).Select(h => Guid.Parse(h.Point.ForecasterId)));
        await using var command = Command($"SELECT id FROM {_schema}.forecasters");
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            ids.Add(reader.GetGuid(0));
        }

        return [.. ids.OrderBy(id => id.ToString(), StringComparer.Ordinal)];
    }
}
