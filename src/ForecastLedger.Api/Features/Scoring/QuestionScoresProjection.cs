using System.Text.Json;
using ForecastLedger.Api.Features.Questions;
using ForecastLedger.Domain.Forecasts;
using ForecastLedger.Domain.Questions;
using ForecastLedger.Domain.Scoring;
using ForecastLedger.EventStore;
using ForecastLedger.EventStore.Projections;
using Npgsql;

namespace ForecastLedger.Api.Features.Scoring;

/// <summary>
/// The <c>question_scores</c> projection: on any forecast or question event of question Q it recomputes Q's scores from
/// <c>forecast_history</c> and the <c>questions</c> read model with the Domain scoring engine and replaces Q's rows.
/// A batch recomputes each touched question once, with one read of the questions and one of their histories.
/// </summary>
/// <remarks>
/// <para>
/// Both sources are written inline with the events, so they may be ahead of the batch: every later event of Q
/// recomputes Q again, so once the projection catches up the rows equal a rebuild's.
/// </para>
/// <para>
/// It needs only each event's stream (the question is in the stream id: <c>question-{q}</c>, <c>forecast-{q}-{f}</c>),
/// so it is an <see cref="IEventHeaderProjection"/>: the daemon never reads or deserialises payloads for it. During a
/// rebuild it looks ahead: a recomputation reads the read models as they are now, so only the one at Q's last event up
/// to the rebuild target counts, and every earlier one would be overwritten. It recomputes Q only in the batch that
/// holds that last event (or any event past the target), so a rebuild computes each question once instead of once per
/// batch — with the same rows as before, and a failing question still stops on one of its own events.
/// </para>
/// </remarks>
public sealed class QuestionScoresProjection(EventStoreOptions options) : IEventHeaderProjection
{
    public const string ProjectionName = "question_scores";

    private static readonly JsonSerializerOptions Json = EventStoreOptions.DefaultJson;

    private string Schema => options.Schema;

    public string Name => ProjectionName;

    public IReadOnlyCollection<string>? EventTypes { get; } =
    [
        "question_published", "question_closed", "question_resolved", "question_resolution_changed", "question_annulled",
        "forecast_submitted", "forecast_withdrawn",
    ];

    public async Task EnsureSchemaAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"""
            CREATE TABLE IF NOT EXISTS {Schema}.question_scores (
                question_id      uuid             NOT NULL,
                forecaster_id    uuid             NOT NULL,
                final_brier      numeric,
                mean_daily_brier numeric,
                median_score     numeric,
                participation    numeric          NOT NULL,
                relative_brier   numeric,
                log_score        double precision NOT NULL,
                baseline         double precision NOT NULL,
                peer             double precision NOT NULL,
                coverage         double precision NOT NULL,
                truncated        boolean          NOT NULL,
                days_scored      integer          NOT NULL,
                scoring_days     integer          NOT NULL,
                tags             text[]           NOT NULL,
                PRIMARY KEY (question_id, forecaster_id)
            );
            CREATE INDEX IF NOT EXISTS question_scores_forecaster ON {Schema}.question_scores (forecaster_id)
                INCLUDE (relative_brier, mean_daily_brier, peer, baseline, coverage);
            CREATE INDEX IF NOT EXISTS question_scores_tags ON {Schema}.question_scores USING gin (tags);
            CREATE TABLE IF NOT EXISTS {Schema}.{GenerationTable} (
                id         boolean PRIMARY KEY DEFAULT true CHECK (id),
                generation bigint  NOT NULL
            );
            INSERT INTO {Schema}.{GenerationTable} (id, generation) VALUES (true, 0) ON CONFLICT (id) DO NOTHING;
            """, connection);
        await command.ExecuteNonQueryAsync(ct);
    }

    public async Task ApplyAsync(NpgsqlConnection connection, IReadOnlyList<EventEnvelope> batch, CancellationToken ct)
    {
        var touched = batch.Select(e => e.Data switch
        {
            IQuestionEvent q => q.QuestionId,
            IForecastEvent f => f.QuestionId,
            _ => throw new InvalidOperationException($"Unexpected event {e.Type} at seq {e.Seq}."),
        }).Distinct().ToArray();
        await RecomputeAsync(connection, Schema, touched, ct);
    }

    public async Task ApplyHeadersAsync(NpgsqlConnection connection, IReadOnlyList<EventHeader> batch, ProjectionBatchContext context, CancellationToken ct)
    {
        // The last seq of each question in this batch, in first-touched order.
        var lastInBatch = new Dictionary<Guid, long>();
        foreach (var e in batch)
        {
            lastInBatch[QuestionOf(e)] = e.Seq;
        }

        IEnumerable<Guid> touched = lastInBatch.Keys;
        if (context.IsRebuilding)
        {
            var lastUpToTarget = await RebuildPlanAsync(connection, context.RebuildTarget, ct);
            touched = touched.Where(q => !lastUpToTarget.TryGetValue(q, out var last) || lastInBatch[q] >= last);
        }

        var questions = touched.ToArray();
        if (questions.Length > 0 && !context.IsRebuilding)
        {
            questions = await WithoutLaterEventsAsync(connection, questions, lastInBatch, ct);
        }

        if (questions.Length > 0)
        {
            await RecomputeAsync(connection, Schema, questions, ct);
        }
    }

    /// <summary>
    /// The questions with no handled event after this batch. A recomputation reads the read models as they are now, so
    /// for a question with a later event it would compute that later state early, and blame a failure on the wrong
    /// event. The later event recomputes the question anyway, so it is deferred to that event's batch.
    /// </summary>
    private async Task<Guid[]> WithoutLaterEventsAsync(NpgsqlConnection connection, Guid[] questions, Dictionary<Guid, long> lastInBatch, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"""
            SELECT u.q FROM unnest($1::uuid[], $2::bigint[]) AS u(q, last)
            WHERE NOT EXISTS (SELECT 1 FROM {Schema}.forecast_history h WHERE h.question_id = u.q AND h.seq_id > u.last)
              AND NOT EXISTS (SELECT 1 FROM {Schema}.events e
                              WHERE e.stream_id = '{QuestionStreamPrefix}' || u.q::text AND e.seq_id > u.last AND e.type = ANY($3))
            """, connection);
        command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = questions });
        command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = [.. questions.Select(q => lastInBatch[q])] });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. EventTypes!] });
        var current = new List<Guid>(questions.Length);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            current.Add(reader.GetGuid(0));
        }

        return [.. current];
    }

    /// <summary>The question an event belongs to, from its stream id; throws (a poison event) for any other stream.</summary>
    internal static Guid QuestionOf(EventHeader e)
    {
        var id = e.StreamId.AsSpan();
        if (id.StartsWith(QuestionStreamPrefix, StringComparison.Ordinal) && Guid.TryParseExact(id[QuestionStreamPrefix.Length..], "D", out var question))
        {
            return question;
        }

        if (id.StartsWith(ForecastStreamPrefix, StringComparison.Ordinal) && id.Length >= ForecastStreamPrefix.Length + 36
            && Guid.TryParseExact(id.Slice(ForecastStreamPrefix.Length, 36), "D", out question))
        {
            return question;
        }

        throw new InvalidOperationException($"Unexpected event {e.Type} at seq {e.Seq} on stream {e.StreamId}.");
    }

    private const string QuestionStreamPrefix = "question-";
    private const string ForecastStreamPrefix = "forecast-";

    // Replaced whole (a reference write), so a reader never sees a plan half-built.
    private RebuildPlan? _rebuildPlan;

    /// <summary>
    /// For a rebuild to <paramref name="target"/>: each question's last handled event at or below it, read once per
    /// rebuild from <c>forecast_history</c> (one row per forecast event) and the question streams. All of it is
    /// committed (seq order is commit order), so the answer cannot change while the replay runs.
    /// </summary>
    private async Task<Dictionary<Guid, long>> RebuildPlanAsync(NpgsqlConnection connection, long target, CancellationToken ct)
    {
        if (_rebuildPlan is { } plan && plan.Target == target)
        {
            return plan.LastSeqs;
        }

        var last = new Dictionary<Guid, long>();
        await using var command = new NpgsqlCommand($"""
            SELECT question_id, max(seq_id) FROM {Schema}.forecast_history WHERE seq_id <= $1 GROUP BY question_id
            UNION ALL
            SELECT q.id, max(e.seq_id) FROM {Schema}.questions q
            JOIN {Schema}.events e ON e.stream_id = 'question-' || q.id::text
            WHERE e.seq_id <= $1 AND e.type = ANY($2) GROUP BY q.id
            """, connection);
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = target });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. EventTypes!.Where(t => t.StartsWith("question_", StringComparison.Ordinal))] });
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                var question = reader.GetGuid(0);
                var seq = reader.GetInt64(1);
                last[question] = Math.Max(seq, last.GetValueOrDefault(question));
            }
        }

        _rebuildPlan = new RebuildPlan(target, last);
        return last;
    }

    private sealed record RebuildPlan(long Target, Dictionary<Guid, long> LastSeqs);

    public async Task ResetAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            $"DELETE FROM {Schema}.question_scores; UPDATE {Schema}.{GenerationTable} SET generation = generation + 1", connection);
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// One row counting the changes to <c>question_scores</c>: bumped only when rows are written or removed, never reset.
    /// Reads are cached and tagged by it, so forecasts on open questions (which move the checkpoint but change no score)
    /// leave leaderboards a cache hit and a 304.
    /// </summary>
    public const string GenerationTable = "question_scores_generation";

    /// <summary>Reads the questions and their histories in two statements and replaces their rows.</summary>
    internal static async Task RecomputeAsync(NpgsqlConnection connection, string schema, Guid[] questions, CancellationToken ct)
    {
        var views = new Dictionary<Guid, QuestionView>();
        await using (var command = new NpgsqlCommand($"SELECT document::text FROM {schema}.questions WHERE id = ANY($1)", connection))
        {
            command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = questions });
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var view = JsonSerializer.Deserialize<QuestionView>(reader.GetString(0), Json)!;
                views[view.Id] = view;
            }
        }

        var scored = views.Values.Where(v => v.Timeline().Status == ScoringStatus.Scored).Select(v => v.Id).ToArray();
        var points = scored.ToDictionary(id => id, _ => new List<ForecastPoint>());
        if (scored.Length > 0)
        {
            await using var command = new NpgsqlCommand($"""
                SELECT question_id, forecaster_id, seq_id, at, probabilities FROM {schema}.forecast_history
                WHERE question_id = ANY($1) ORDER BY question_id, seq_id
                """, connection);
            command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = scored });
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var permille = reader.IsDBNull(4) ? null : reader.GetFieldValue<int[]>(4);
                points[reader.GetGuid(0)].Add(new ForecastPoint(reader.GetGuid(1).ToString(), reader.GetFieldValue<DateTimeOffset>(3), reader.GetInt64(2), permille));
            }
        }

        // The scoring engine is pure and CPU-bound (a question with ~1,000 forecasters takes hundreds of ms), so the
        // questions of a batch are scored on every core; AsOrdered keeps the rows in the same order as a serial run.
        IEnumerable<(QuestionScore Row, IReadOnlyList<string> Tags)> Score(Guid id) =>
            QuestionScoring.Score(id, views[id].Timeline(), points[id]).Select(r => (r, (IReadOnlyList<string>)views[id].Tags));
        (QuestionScore Row, IReadOnlyList<string> Tags)[] rows;
        try
        {
            rows = scored.Length <= 1 || Environment.ProcessorCount == 1
                ? [.. scored.SelectMany(Score)]
                : scored.AsParallel().AsOrdered().WithDegreeOfParallelism(Math.Min(Environment.ProcessorCount, scored.Length)).SelectMany(Score).ToArray();
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            // Report the question's own error (a poison event's message), not PLINQ's wrapper.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
            throw;
        }
        await using var batch = new NpgsqlBatch(connection);
        var delete = new NpgsqlBatchCommand($"""
            WITH deleted AS (DELETE FROM {schema}.question_scores WHERE question_id = ANY($1) RETURNING 1)
            UPDATE {schema}.{GenerationTable} SET generation = generation + 1 WHERE $2 OR EXISTS (SELECT 1 FROM deleted)
            """);
        delete.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = questions });
        delete.Parameters.Add(new NpgsqlParameter<bool> { TypedValue = rows.Length > 0 });
        batch.BatchCommands.Add(delete);
        if (rows.Length > 0)
        {
            var insert = new NpgsqlBatchCommand($"""
                INSERT INTO {schema}.question_scores (question_id, forecaster_id, final_brier, mean_daily_brier, median_score, participation,
                    relative_brier, log_score, baseline, peer, coverage, truncated, days_scored, scoring_days, tags)
                SELECT q, f, fb, mdb, ms, p, rb, l, b, pe, c, t, ds, sd, string_to_array(tg, E'\x1f')
                FROM unnest($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
                    AS u(q, f, fb, mdb, ms, p, rb, l, b, pe, c, t, ds, sd, tg)
                """);
            insert.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = [.. rows.Select(r => r.Row.QuestionId)] });
            insert.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = [.. rows.Select(r => Guid.Parse(r.Row.ForecasterId))] });
            insert.Parameters.Add(new NpgsqlParameter<decimal?[]> { TypedValue = [.. rows.Select(r => r.Row.FinalBrier)] });
            insert.Parameters.Add(new NpgsqlParameter<decimal?[]> { TypedValue = [.. rows.Select(r => r.Row.MeanDailyBrier)] });
            insert.Parameters.Add(new NpgsqlParameter<decimal?[]> { TypedValue = [.. rows.Select(r => r.Row.MedianScore)] });
            insert.Parameters.Add(new NpgsqlParameter<decimal[]> { TypedValue = [.. rows.Select(r => r.Row.Participation)] });
            insert.Parameters.Add(new NpgsqlParameter<decimal?[]> { TypedValue = [.. rows.Select(r => r.Row.RelativeBrier)] });
            insert.Parameters.Add(new NpgsqlParameter<double[]> { TypedValue = [.. rows.Select(r => r.Row.Log)] });
            insert.Parameters.Add(new NpgsqlParameter<double[]> { TypedValue = [.. rows.Select(r => r.Row.Baseline)] });
            insert.Parameters.Add(new NpgsqlParameter<double[]> { TypedValue = [.. rows.Select(r => r.Row.Peer)] });
            insert.Parameters.Add(new NpgsqlParameter<double[]> { TypedValue = [.. rows.Select(r => r.Row.Coverage)] });
            insert.Parameters.Add(new NpgsqlParameter<bool[]> { TypedValue = [.. rows.Select(r => r.Row.Truncated)] });
            insert.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = [.. rows.Select(r => r.Row.DaysScored)] });
            insert.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = [.. rows.Select(r => r.Row.ScoringDays)] });
            insert.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. rows.Select(r => string.Join('\x1f', r.Tags))] });
            batch.BatchCommands.Add(insert);
        }

        await batch.ExecuteNonQueryAsync(ct);
    }
}
