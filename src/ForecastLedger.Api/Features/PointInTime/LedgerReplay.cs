using System.Text.Json;
using ForecastLedger.Api.Features.Forecasts;
using ForecastLedger.Api.Features.Questions;
using ForecastLedger.Api.Infrastructure;
using ForecastLedger.Domain.Forecasters;
using ForecastLedger.Domain.Questions;
using ForecastLedger.Domain.Scoring;
using ForecastLedger.EventStore;
using Npgsql;

namespace ForecastLedger.Api.Features.PointInTime;

/// <summary>
/// The replay half of point-in-time reads (ADR 0008): question state folded from the question streams' events up to a
/// seq with the same <see cref="QuestionView.Evolve"/> the inline read model uses, forecasts from
/// <c>forecast_history</c> rows up to the seq, forecasters from their streams. Every read is one statement over an index,
/// whatever the number of questions or forecasters (no N+1).
/// </summary>
public sealed class LedgerReplay(LedgerDatabase database, EventStoreOptions options)
{
    private string Schema => options.Schema;

    /// <summary>
    /// Where a replay up to <paramref name="seq"/> reads: a past point reads the sequenced ledger (docs/adr/0024), the
    /// present (<see cref="long.MaxValue"/>) every committed event, so a write is seen at once.
    /// </summary>
    private static string EventsUpTo(long seq) => seq == long.MaxValue ? "stream_events" : "events";

    /// <summary>
    /// One question as a read at <paramref name="point"/> sees it: its read model for the current state (null point), or
    /// replayed up to the point; null when it does not exist (yet).
    /// </summary>
    public async Task<QuestionView?> QuestionAsync(Guid id, LedgerPoint? point, QuestionCatalog current, CancellationToken ct) =>
        point is null ? await current.FindAsync(id, ct) : (await QuestionsAsync(point.Seq, [id], ct)).GetValueOrDefault(id);

    /// <summary>Every question as it stood at <paramref name="seq"/> (or only <paramref name="ids"/>), by id.</summary>
    public async Task<IReadOnlyDictionary<Guid, QuestionView>> QuestionsAsync(long seq, IReadOnlyCollection<Guid>? ids, CancellationToken ct)
    {
        var streams = new List<string>();
        if (ids is null)
        {
            // Every question ever published is in the read model; the ones published after the point fold to nothing.
            await using var all = database.DataSource.CreateCommand($"SELECT id FROM {Schema}.questions");
            await using var reader = await all.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                streams.Add(Question.StreamId(reader.GetGuid(0)));
            }
        }
        else
        {
            streams.AddRange(ids.Select(Question.StreamId));
        }

        var views = new Dictionary<Guid, QuestionView>();
        if (streams.Count == 0)
        {
            return views;
        }

        await using var command = database.DataSource.CreateCommand($"""
            SELECT stream_id, version, type, data::text FROM {Schema}.{EventsUpTo(seq)}
            WHERE stream_id = ANY($1) AND seq_id <= $2 ORDER BY stream_id, version
            """);
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. streams] });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = seq });
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            string? stream = null;
            QuestionView? view = null;
            while (await reader.ReadAsync(ct))
            {
                if (reader.GetString(0) != stream)
                {
                    Keep(views, view);
                    stream = reader.GetString(0);
                    view = null;
                }

                view = QuestionView.Evolve(view, Deserialize(reader.GetString(2), reader.GetString(3)), reader.GetInt64(1));
            }

            Keep(views, view);
        }

        return views;
    }

    /// <summary>
    /// Forecasts and withdrawals of <paramref name="questions"/> up to <paramref name="seq"/> as scoring points, in seq
    /// order per question; only <paramref name="forecaster"/>'s when given; without the forecasters in <paramref name="excluded"/>.
    /// </summary>
    public async Task<IReadOnlyDictionary<Guid, List<ForecastPoint>>> PointsAsync(
        IReadOnlyCollection<Guid> questions, long seq, Guid? forecaster, IReadOnlySet<Guid>? excluded, CancellationToken ct)
    {
        var points = questions.Distinct().ToDictionary(id => id, _ => new List<ForecastPoint>());
        if (points.Count == 0)
        {
            return points;
        }

        await using var command = database.DataSource.CreateCommand($"""
            SELECT question_id, forecaster_id, seq_id, at, probabilities FROM {Schema}.forecast_history
            WHERE question_id = ANY($1) AND seq_id <= $2 AND ($3::uuid IS NULL OR forecaster_id = $3)
            ORDER BY question_id, seq_id
            """);
        command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = [.. points.Keys] });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = seq });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)forecaster ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Uuid });
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var who = reader.GetGuid(1);
            if (excluded?.Contains(who) == true)
            {
                continue;
            }

            points[reader.GetGuid(0)].Add(new ForecastPoint(who.ToString(), reader.GetFieldValue<DateTimeOffset>(3), reader.GetInt64(2),
                reader.IsDBNull(4) ? null : reader.GetFieldValue<int[]>(4)));
        }

        return points;
    }

    /// <summary>
    /// A question's forecasts and withdrawals with a seq in (<paramref name="afterSeq"/>, <paramref name="toSeq"/>], in
    /// ledger order: the one query both the current and the point-in-time history read.
    /// </summary>
    public async Task<IReadOnlyList<ForecastResource>> QuestionHistoryAsync(Guid questionId, long afterSeq, long toSeq, int limit, CancellationToken ct)
    {
        await using var command = database.DataSource.CreateCommand($"""
            SELECT forecast_id, forecaster_id, kind, probabilities, rationale, at, version, seq_id
            FROM {Schema}.forecast_history WHERE question_id = $1 AND seq_id > $2 AND seq_id <= $3 ORDER BY seq_id LIMIT $4
            """);
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = questionId });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = afterSeq });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = toSeq });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit });
        var items = new List<ForecastResource>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            items.Add(new ForecastResource(
                reader.GetGuid(0), questionId, reader.GetGuid(1), reader.GetString(2),
                reader.IsDBNull(3) ? null : reader.GetFieldValue<int[]>(3), reader.IsDBNull(4) ? null : reader.GetString(4),
                reader.GetFieldValue<DateTimeOffset>(5), reader.GetInt64(6), reader.GetInt64(7)));
        }

        return items;
    }

    /// <summary>
    /// Forecasters registered at <paramref name="seq"/>, with their bot flag as it stood then (folded from their
    /// streams: registration, then every bot flag change up to the seq); all of them, or only <paramref name="ids"/>.
    /// </summary>
    public async Task<IReadOnlyDictionary<Guid, ForecasterAt>> ForecastersAsync(long seq, IReadOnlyCollection<Guid>? ids, CancellationToken ct)
    {
        var streams = new List<string>();
        if (ids is null)
        {
            await using var all = database.DataSource.CreateCommand($"SELECT id FROM {Schema}.forecasters");
            await using var reader = await all.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                streams.Add(Forecaster.StreamId(reader.GetGuid(0)));
            }
        }
        else
        {
            streams.AddRange(ids.Distinct().Select(Forecaster.StreamId));
        }

        var forecasters = new Dictionary<Guid, ForecasterAt>();
        if (streams.Count == 0)
        {
            return forecasters;
        }

        await using var command = database.DataSource.CreateCommand($"""
            SELECT type, data::text FROM {Schema}.{EventsUpTo(seq)}
            WHERE stream_id = ANY($1) AND seq_id <= $2 AND type IN ('forecaster_registered', 'forecaster_bot_flag_changed')
            ORDER BY seq_id
            """);
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. streams] });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = seq });
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                switch (Deserialize(reader.GetString(0), reader.GetString(1)))
                {
                    case ForecasterRegistered r:
                        forecasters[r.ForecasterId] = new ForecasterAt(r.ForecasterId, r.Handle, r.IsBot);
                        break;
                    case ForecasterBotFlagChanged b when forecasters.TryGetValue(b.ForecasterId, out var known):
                        forecasters[b.ForecasterId] = known with { IsBot = b.IsBot };
                        break;
                }
            }
        }

        return forecasters;
    }

    private object Deserialize(string type, string json) =>
        options.Types.TypeFor(type) is { } clr
            ? JsonSerializer.Deserialize(json, clr, options.Json)!
            : throw new InvalidOperationException($"The event type '{type}' is not registered.");

    private static void Keep(Dictionary<Guid, QuestionView> views, QuestionView? view)
    {
        if (view is not null)
        {
            views[view.Id] = view;
        }
    }
}
