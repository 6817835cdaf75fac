using System.Globalization;
using ForecastLedger.Domain.Forecasters;
using ForecastLedger.Domain.Forecasts;
using ForecastLedger.Domain.Questions;
using ForecastLedger.Domain.Scoring;
using ForecastLedger.EventStore;
using ForecastLedger.EventStore.Projections;
using Npgsql;

namespace ForecastLedger.Api.Features.Scoring;

/// <summary>
/// The <c>crowd_series</c> projection (ADR 0025): every question's crowd steps, for every method and both participant
/// sets, in <c>crowd_steps</c> keyed (question, set, step index), so a current crowd read is one index range scan of one
/// page whatever the question's history.
/// </summary>
/// <remarks>
/// <para>
/// After each batch the rows equal the Domain's from-scratch crowd (<see cref="CrowdFold.Compute"/>) of the ledger up to
/// the batch's last seq: the timeline and the bot flags come from the events themselves, the forecasts from
/// <c>forecast_history</c> rows at or below that seq only (every one of them is committed when the daemon hands the
/// batch over; rows above it may not be complete). So any batching gives the same rows, and a rebuild equals the
/// incremental projection.
/// </para>
/// <para>
/// Memory is bounded by a batch and a fixed cache, not the ledger: a batch loads only its touched questions' state rows
/// and standing forecasts (a chunk of questions at a time: from <see cref="CrowdStandingCache"/>, else folded from the
/// question's own points) and appends their new steps. What rewrites a question's history (a new effective close, a bot
/// flag change of one of its forecasters, a forecast timestamped before its last step) recomputes that one question from
/// its own points, one question at a time.
/// </para>
/// </remarks>
public sealed class CrowdSeriesProjection(EventStoreOptions options) : ILedgerProjection
{
    public const string ProjectionName = "crowd_series";

    /// <summary>Questions whose standing forecasts are loaded and extended together.</summary>
    private const int ChunkSize = 64;

    /// <summary>
    /// Standing forecasts kept in memory across batches (about 80 bytes each, so some 20 MB), so that a question
    /// forecast on again need not be folded again from its history.
    /// </summary>
    private const int CachedStandingEntries = 250_000;

    private readonly CrowdStandingCache _cache = new(CachedStandingEntries);

    private string Schema => options.Schema;

    public string Name => ProjectionName;

    public IReadOnlyCollection<string>? EventTypes { get; } =
    [
        "question_published", "question_clarified", "question_closed", "question_resolved", "question_resolution_changed",
        "question_annulled", "forecast_submitted", "forecast_withdrawn", "forecaster_registered", "forecaster_bot_flag_changed",
    ];

    public async Task EnsureSchemaAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"""
            CREATE TABLE IF NOT EXISTS {Schema}.crowd_questions (
                question_id       uuid    PRIMARY KEY,
                opens_ticks       bigint  NOT NULL,
                closes_ticks      bigint  NOT NULL,
                known_ticks       bigint,
                option_count      integer NOT NULL,
                question_version  bigint  NOT NULL,
                last_seq          bigint  NOT NULL,
                humans_steps      integer NOT NULL,
                humans_boundary   bigint  NOT NULL,
                everyone_steps    integer NOT NULL,
                everyone_boundary bigint  NOT NULL,
                changed_seq       bigint  NOT NULL
            );
            CREATE TABLE IF NOT EXISTS {Schema}.crowd_steps (
                question_id      uuid               NOT NULL,
                with_bots        boolean            NOT NULL,
                idx              integer            NOT NULL,
                from_ticks       bigint             NOT NULL,
                forecaster_count integer            NOT NULL,
                probabilities    double precision[],
                -- Covering: a page is an index-only scan of consecutive entries. The heap is in write order, where a
                -- question's steps sit one per page (a cold 500-step page read ~350 heap pages, 18 ms).
                PRIMARY KEY (question_id, with_bots, idx) INCLUDE (from_ticks, forecaster_count, probabilities)
            );
            CREATE TABLE IF NOT EXISTS {Schema}.crowd_bots (forecaster_id uuid PRIMARY KEY);
            CREATE TABLE IF NOT EXISTS {Schema}.crowd_bot_set (
                id     boolean PRIMARY KEY DEFAULT true CHECK (id),
                digest text    NOT NULL
            );
            INSERT INTO {Schema}.crowd_bot_set (id, digest) VALUES (true, '') ON CONFLICT (id) DO NOTHING;
            """, connection);
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Forgets every standing list kept in memory (tests: the next batches fold them from the history).</summary>
    internal void ForgetKeptStanding() => _cache.Clear();

    public async Task ResetAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        // DELETE, not TRUNCATE: the service role may write rows but not truncate (ADR 0018).
        _cache.Clear();
        await using var command = new NpgsqlCommand($"""
            DELETE FROM {Schema}.crowd_questions;
            DELETE FROM {Schema}.crowd_steps;
            DELETE FROM {Schema}.crowd_bots;
            UPDATE {Schema}.crowd_bot_set SET digest = '';
            """, connection);
        await command.ExecuteNonQueryAsync(ct);
    }

    public async Task ApplyAsync(NpgsqlConnection connection, IReadOnlyList<EventEnvelope> batch, CancellationToken ct)
    {
        var lastSeq = batch[^1].Seq;
        var questions = await LoadQuestionsAsync(connection, QuestionsOf(batch), ct);
        var recompute = new HashSet<Guid>();
        var forecastEvents = new Dictionary<Guid, int>();
        var flags = new Dictionary<Guid, (bool IsBot, long Seq)>();
        foreach (var e in batch)
        {
            switch (e.Data)
            {
                case QuestionPublished p:
                    questions[p.QuestionId] = new CrowdQuestionState
                    {
                        Id = p.QuestionId,
                        OpensTicks = p.OpensAt.UtcTicks,
                        ClosesTicks = p.ClosesAt.UtcTicks,
                        OptionCount = p.Options.Length,
                        QuestionVersion = e.Version,
                        ChangedSeq = e.Seq,
                    };
                    recompute.Add(p.QuestionId);
                    break;
                // Events of a question never published (only a direct append could make one) have no crowd to change;
                // should its publication come, it recomputes the question from every forecast up to then.
                case QuestionResolved r when questions.TryGetValue(r.QuestionId, out var resolved):
                    Resolve(resolved, r.KnownAt, e, recompute);
                    break;
                case QuestionResolutionChanged c when questions.TryGetValue(c.QuestionId, out var changed):
                    Resolve(changed, c.KnownAt, e, recompute);
                    break;
                case IQuestionEvent q:
                    if (questions.TryGetValue(q.QuestionId, out var question))
                    {
                        question.QuestionVersion = e.Version;
                    }

                    break;
                case IForecastEvent f:
                    if (questions.TryGetValue(f.QuestionId, out var forecast))
                    {
                        forecast.LastSeq = e.Seq;
                        forecast.ChangedSeq = e.Seq;
                        forecastEvents[f.QuestionId] = forecastEvents.GetValueOrDefault(f.QuestionId) + 1;
                    }

                    break;
                case ForecasterRegistered r:
                    flags[r.ForecasterId] = (r.IsBot, e.Seq);
                    break;
                case ForecasterBotFlagChanged c:
                    flags[c.ForecasterId] = (c.IsBot, e.Seq);
                    break;
                default:
                    throw new InvalidOperationException($"Unexpected event {e.Type} at seq {e.Seq}.");
            }
        }

        // A forecaster whose flag flips changes which of its forecasts count for the crowd without bots: every question
        // it forecast on up to this batch is recomputed with the new bot set.
        var flipped = flags.Count == 0 ? [] : await ApplyBotFlagsAsync(connection, flags, ct);
        if (flipped.Length > 0)
        {
            var affected = await QuestionsForecastByAsync(connection, flipped, lastSeq, ct);
            foreach (var (id, state) in await LoadQuestionsAsync(connection, [.. affected.Keys.Where(q => !questions.ContainsKey(q))], ct))
            {
                questions[id] = state;
            }

            foreach (var (q, forecasters) in affected)
            {
                if (!questions.TryGetValue(q, out var state))
                {
                    continue; // never published: no crowd
                }

                recompute.Add(q);
                state.ChangedSeq = Math.Max(state.ChangedSeq, forecasters.Max(f => flags[f].Seq));
            }
        }

        var extend = forecastEvents.Keys.Where(q => !recompute.Contains(q)).ToArray();
        if (extend.Length > 0)
        {
            var points = await BatchPointsAsync(connection, batch, extend, forecastEvents, ct);
            var bots = await BotsAmongAsync(connection, [.. points.Values.SelectMany(p => p).Select(p => Guid.Parse(p.ForecasterId)).Distinct()], ct);
            foreach (var chunk in extend.Chunk(ChunkSize))
            {
                var declined = await ExtendAsync(connection, chunk, questions, points, id => bots.Contains(Guid.Parse(id)), ct);
                recompute.UnionWith(declined);
            }
        }

        foreach (var q in recompute)
        {
            await RecomputeAsync(connection, questions[q], lastSeq, ct);
        }

        await SaveQuestionsAsync(connection, questions.Values, ct);
    }

    private static IEnumerable<Guid> QuestionsOf(IReadOnlyList<EventEnvelope> batch) => batch
        .Select(e => e.Data switch { IQuestionEvent q and not QuestionPublished => q.QuestionId, IForecastEvent f => f.QuestionId, _ => Guid.Empty })
        .Where(q => q != Guid.Empty)
        .Distinct();

    private static void Resolve(CrowdQuestionState state, DateTimeOffset knownAt, EventEnvelope e, HashSet<Guid> recompute)
    {
        var before = state.Timeline.EffectiveClose;
        state.KnownTicks = knownAt.UtcTicks;
        state.QuestionVersion = e.Version;
        if (state.Timeline.EffectiveClose != before)
        {
            recompute.Add(state.Id);
            state.ChangedSeq = e.Seq;
        }
    }

    private async Task<Dictionary<Guid, CrowdQuestionState>> LoadQuestionsAsync(NpgsqlConnection connection, IEnumerable<Guid> ids, CancellationToken ct)
    {
        var states = new Dictionary<Guid, CrowdQuestionState>();
        await using var command = new NpgsqlCommand($"""
            SELECT question_id, opens_ticks, closes_ticks, known_ticks, option_count, question_version, last_seq,
                   humans_steps, humans_boundary, everyone_steps, everyone_boundary, changed_seq
            FROM {Schema}.crowd_questions WHERE question_id = ANY($1)
            """, connection);
        command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = [.. ids] });
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var id = reader.GetGuid(0);
            states[id] = new CrowdQuestionState
            {
                Id = id,
                OpensTicks = reader.GetInt64(1),
                ClosesTicks = reader.GetInt64(2),
                KnownTicks = reader.IsDBNull(3) ? null : reader.GetInt64(3),
                OptionCount = reader.GetInt32(4),
                QuestionVersion = reader.GetInt64(5),
                LastSeq = reader.GetInt64(6),
                StepCounts = [reader.GetInt32(7), reader.GetInt32(9)],
                Boundaries = [reader.GetInt64(8), reader.GetInt64(10)],
                ChangedSeq = reader.GetInt64(11),
                StoredChangedSeq = reader.GetInt64(11),
                StoredLastSeq = reader.GetInt64(6),
            };
        }

        return states;
    }

    /// <summary>
    /// Sets the flags as they stand after this batch and returns the forecasters whose flag changed; keeps the digest of
    /// the bot set in the same form as the crowd's ETag (<see cref="HistoryReads.CrowdVersionAsync"/>).
    /// </summary>
    private async Task<Guid[]> ApplyBotFlagsAsync(NpgsqlConnection connection, Dictionary<Guid, (bool IsBot, long Seq)> flags, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"""
            WITH wanted AS (SELECT * FROM unnest($1::uuid[], $2::boolean[]) AS u(id, bot)),
            flipped AS (
                SELECT w.id, w.bot FROM wanted w
                WHERE w.bot <> EXISTS (SELECT 1 FROM {Schema}.crowd_bots b WHERE b.forecaster_id = w.id)),
            added AS (INSERT INTO {Schema}.crowd_bots (forecaster_id) SELECT id FROM flipped WHERE bot RETURNING 1),
            removed AS (DELETE FROM {Schema}.crowd_bots b USING flipped f WHERE b.forecaster_id = f.id AND NOT f.bot RETURNING 1)
            SELECT id FROM flipped
            """, connection);
        command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = [.. flags.Keys] });
        command.Parameters.Add(new NpgsqlParameter<bool[]> { TypedValue = [.. flags.Values.Select(f => f.IsBot)] });
        var flipped = new List<Guid>();
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                flipped.Add(reader.GetGuid(0));
            }
        }

        if (flipped.Count > 0)
        {
            await using var digest = new NpgsqlCommand($"""
                UPDATE {Schema}.crowd_bot_set SET digest =
                    (SELECT coalesce(left(md5(string_agg(forecaster_id::text, ',' ORDER BY forecaster_id)), 16), '') FROM {Schema}.crowd_bots)
                """, connection);
            await digest.ExecuteNonQueryAsync(ct);
        }

        return [.. flipped];
    }

    /// <summary>The questions <paramref name="forecasters"/> forecast on up to <paramref name="lastSeq"/>, each with which of them did.</summary>
    private async Task<Dictionary<Guid, List<Guid>>> QuestionsForecastByAsync(NpgsqlConnection connection, Guid[] forecasters, long lastSeq, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            $"SELECT DISTINCT question_id, forecaster_id FROM {Schema}.forecast_history WHERE forecaster_id = ANY($1) AND seq_id <= $2", connection);
        command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = forecasters });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = lastSeq });
        var questions = new Dictionary<Guid, List<Guid>>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var question = reader.GetGuid(0);
            if (!questions.TryGetValue(question, out var who))
            {
                questions[question] = who = [];
            }

            who.Add(reader.GetGuid(1));
        }

        return questions;
    }

    /// <summary>
    /// The batch's forecasts and withdrawals of <paramref name="questions"/> as scoring points, in seq order, read from
    /// <c>forecast_history</c> by seq (the rows the ledger's other reads use, so the crowd sees the same instants).
    /// </summary>
    private async Task<Dictionary<Guid, List<ForecastPoint>>> BatchPointsAsync(
        NpgsqlConnection connection, IReadOnlyList<EventEnvelope> batch, Guid[] questions, Dictionary<Guid, int> expected, CancellationToken ct)
    {
        var seqs = batch.Where(e => e.Data is IForecastEvent).Select(e => e.Seq).ToArray();
        var points = questions.ToDictionary(q => q, _ => new List<ForecastPoint>());
        await using var command = new NpgsqlCommand($"""
            SELECT question_id, forecaster_id, seq_id, at, probabilities FROM {Schema}.forecast_history
            WHERE seq_id = ANY($1) ORDER BY seq_id
            """, connection);
        command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = seqs });
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            if (points.TryGetValue(reader.GetGuid(0), out var list))
            {
                list.Add(new ForecastPoint(reader.GetGuid(1).ToString(), reader.GetFieldValue<DateTimeOffset>(3), reader.GetInt64(2),
                    reader.IsDBNull(4) ? null : reader.GetFieldValue<int[]>(4)));
            }
        }

        foreach (var (q, list) in points)
        {
            if (list.Count != expected[q])
            {
                throw new InvalidOperationException($"forecast_history holds {list.Count} of the batch's {expected[q]} forecast events of question {q}.");
            }
        }

        return points;
    }

    private async Task<HashSet<Guid>> BotsAmongAsync(NpgsqlConnection connection, Guid[] forecasters, CancellationToken ct)
    {
        var bots = new HashSet<Guid>();
        await using var command = new NpgsqlCommand($"SELECT forecaster_id FROM {Schema}.crowd_bots WHERE forecaster_id = ANY($1)", connection);
        command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = forecasters });
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            bots.Add(reader.GetGuid(0));
        }

        return bots;
    }

    /// <summary>Extends a chunk of questions by the batch's points; returns the ones whose fold declined (to recompute).</summary>
    private async Task<List<Guid>> ExtendAsync(
        NpgsqlConnection connection, Guid[] chunk, Dictionary<Guid, CrowdQuestionState> questions, Dictionary<Guid, List<ForecastPoint>> points,
        Func<string, bool> isBot, CancellationToken ct)
    {
        // Every question's standing forecasts as of the seq its row names: from memory when kept at that seq, else
        // folded from the question's own points up to the last one its row includes (an index-only range scan of
        // forecast_history; all of them were committed before the previous batch was handed over).
        var standing = new Dictionary<Guid, IReadOnlyList<CrowdStanding>>();
        var missing = new List<CrowdQuestionState>();
        foreach (var q in chunk)
        {
            if (_cache.Get(q, questions[q].StoredChangedSeq) is { } kept)
            {
                standing[q] = kept;
            }
            else
            {
                missing.Add(questions[q]);
            }
        }

        if (missing.Count > 0)
        {
            foreach (var (q, found) in await StandingFromHistoryAsync(connection, missing, ct))
            {
                standing[q] = found;
            }
        }

        var declined = new List<Guid>();
        var writes = new CrowdWrites();
        foreach (var q in chunk)
        {
            var state = questions[q];
            var fold = state.Fold(standing[q]);
            if (fold.TryExtend(points[q], isBot) is not { } extension)
            {
                declined.Add(q);
                continue;
            }

            state.Keep(fold);
            _cache.Put(q, state.ChangedSeq, fold.Standing);
            writes.Steps(q, extension.Rows);
        }

        await writes.FlushAsync(connection, Schema, ct);
        return declined;
    }

    /// <summary>
    /// The standing forecasts of <paramref name="states"/> as their rows stand (after every point up to
    /// <see cref="CrowdQuestionState.StoredLastSeq"/>), each forecaster flagged as a bot or not as of now: none of their
    /// forecasters' flags flipped in this batch, or the question would be recomputed instead.
    /// </summary>
    private async Task<Dictionary<Guid, IReadOnlyList<CrowdStanding>>> StandingFromHistoryAsync(
        NpgsqlConnection connection, List<CrowdQuestionState> states, CancellationToken ct)
    {
        var points = states.ToDictionary(s => s.Id, _ => new List<ForecastPoint>());
        var bots = new HashSet<string>(StringComparer.Ordinal);
        await using (var command = new NpgsqlCommand($"""
            SELECT h.question_id, h.forecaster_id, h.seq_id, h.at, h.probabilities, b.forecaster_id IS NOT NULL
            FROM unnest($1::uuid[], $2::bigint[]) AS u(q, last)
            JOIN {Schema}.forecast_history h ON h.question_id = u.q AND h.seq_id <= u.last
            LEFT JOIN {Schema}.crowd_bots b ON b.forecaster_id = h.forecaster_id
            """, connection))
        {
            command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = [.. states.Select(s => s.Id)] });
            command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = [.. states.Select(s => s.StoredLastSeq)] });
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var forecaster = reader.GetGuid(1).ToString();
                points[reader.GetGuid(0)].Add(new ForecastPoint(forecaster, reader.GetFieldValue<DateTimeOffset>(3), reader.GetInt64(2),
                    reader.IsDBNull(4) ? null : reader.GetFieldValue<int[]>(4)));
                if (reader.GetBoolean(5))
                {
                    bots.Add(forecaster);
                }
            }
        }

        var standing = new Dictionary<Guid, IReadOnlyList<CrowdStanding>>();
        foreach (var state in states)
        {
            standing[state.Id] = state.StepCounts[CrowdFold.WithBots] == 0
                ? []
                : [.. ForecastHistory.Build(state.Timeline, points[state.Id])
                    .StandingAt(new DateTimeOffset(state.Boundaries[CrowdFold.WithBots], TimeSpan.Zero))
                    .Select(e => new CrowdStanding(e, bots.Contains(e.ForecasterId)))];
        }

        return standing;
    }

    /// <summary>Recomputes one question from its points up to <paramref name="lastSeq"/>, with the bot set as of then.</summary>
    private async Task RecomputeAsync(NpgsqlConnection connection, CrowdQuestionState state, long lastSeq, CancellationToken ct)
    {
        var points = new List<ForecastPoint>();
        var bots = new HashSet<string>(StringComparer.Ordinal);
        await using (var command = new NpgsqlCommand($"""
            SELECT h.forecaster_id, h.seq_id, h.at, h.probabilities, b.forecaster_id IS NOT NULL
            FROM {Schema}.forecast_history h LEFT JOIN {Schema}.crowd_bots b ON b.forecaster_id = h.forecaster_id
            WHERE h.question_id = $1 AND h.seq_id <= $2 ORDER BY h.seq_id
            """, connection))
        {
            command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = state.Id });
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = lastSeq });
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var forecaster = reader.GetGuid(0).ToString();
                points.Add(new ForecastPoint(forecaster, reader.GetFieldValue<DateTimeOffset>(2), reader.GetInt64(1),
                    reader.IsDBNull(3) ? null : reader.GetFieldValue<int[]>(3)));
                if (reader.GetBoolean(4))
                {
                    bots.Add(forecaster);
                }
            }
        }

        var (fold, rows) = CrowdFold.Compute(state.Timeline, points, bots.Contains);
        state.Keep(fold);
        _cache.Put(state.Id, state.ChangedSeq, fold.Standing);
        state.LastSeq = points.Count == 0 ? state.LastSeq : Math.Max(state.LastSeq, points[^1].Seq);
        await using (var delete = new NpgsqlCommand($"DELETE FROM {Schema}.crowd_steps WHERE question_id = $1", connection))
        {
            delete.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = state.Id });
            await delete.ExecuteNonQueryAsync(ct);
        }

        var writes = new CrowdWrites();
        writes.Steps(state.Id, rows);
        await writes.FlushAsync(connection, Schema, ct);
    }

    private async Task SaveQuestionsAsync(NpgsqlConnection connection, IEnumerable<CrowdQuestionState> states, CancellationToken ct)
    {
        var all = states.ToArray();
        if (all.Length == 0)
        {
            return;
        }

        await using var command = new NpgsqlCommand($"""
            INSERT INTO {Schema}.crowd_questions (question_id, opens_ticks, closes_ticks, known_ticks, option_count, question_version, last_seq,
                humans_steps, humans_boundary, everyone_steps, everyone_boundary, changed_seq)
            SELECT * FROM unnest($1::uuid[], $2::bigint[], $3::bigint[], $4::bigint[], $5::integer[], $6::bigint[], $7::bigint[],
                $8::integer[], $9::bigint[], $10::integer[], $11::bigint[], $12::bigint[])
            ON CONFLICT (question_id) DO UPDATE SET
                known_ticks = excluded.known_ticks, question_version = excluded.question_version, last_seq = excluded.last_seq,
                humans_steps = excluded.humans_steps, humans_boundary = excluded.humans_boundary,
                everyone_steps = excluded.everyone_steps, everyone_boundary = excluded.everyone_boundary, changed_seq = excluded.changed_seq
            """, connection);
        command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = [.. all.Select(s => s.Id)] });
        command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = [.. all.Select(s => s.OpensTicks)] });
        command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = [.. all.Select(s => s.ClosesTicks)] });
        command.Parameters.Add(new NpgsqlParameter<long?[]> { TypedValue = [.. all.Select(s => s.KnownTicks)] });
        command.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = [.. all.Select(s => s.OptionCount)] });
        command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = [.. all.Select(s => s.QuestionVersion)] });
        command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = [.. all.Select(s => s.LastSeq)] });
        command.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = [.. all.Select(s => s.StepCounts[CrowdFold.HumansOnly])] });
        command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = [.. all.Select(s => s.Boundaries[CrowdFold.HumansOnly])] });
        command.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = [.. all.Select(s => s.StepCounts[CrowdFold.WithBots])] });
        command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = [.. all.Select(s => s.Boundaries[CrowdFold.WithBots])] });
        command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = [.. all.Select(s => s.ChangedSeq)] });
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>A PostgreSQL array literal of doubles that parses back to exactly the same values ("R" round-trips).</summary>
    internal static string? DoubleArray(double[]? values) =>
        values is null ? null : "{" + string.Join(',', values.Select(v => v.ToString("R", CultureInfo.InvariantCulture))) + "}";
}
