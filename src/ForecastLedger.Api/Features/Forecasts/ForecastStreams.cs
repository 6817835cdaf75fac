using ForecastLedger.Api.Infrastructure;
using ForecastLedger.Domain.Forecasts;
using ForecastLedger.EventStore;
using Npgsql;
using NpgsqlTypes;

namespace ForecastLedger.Api.Features.Forecasts;

/// <summary>One forecast or withdrawal, as the API serves it.</summary>
/// <param name="ForecastId">The forecast's id (for a withdrawal: the forecast withdrawn).</param>
/// <param name="QuestionId">The question.</param>
/// <param name="ForecasterId">Who made it.</param>
/// <param name="Kind"><c>submitted</c> or <c>withdrawn</c>.</param>
/// <param name="Probabilities">One probability per option, in permille (1..999, summing to 1000). Null for a withdrawal.</param>
/// <param name="Rationale">The forecaster's reasoning, if given.</param>
/// <param name="At">When it was made (UTC).</param>
/// <param name="Version">Its version in the forecaster's stream on this question; also the ETag.</param>
/// <param name="Seq">Its position in the ledger.</param>
public sealed record ForecastResource(
    Guid ForecastId, Guid QuestionId, Guid ForecasterId, string Kind, IReadOnlyList<int>? Probabilities, string? Rationale,
    DateTimeOffset At, long Version, long Seq)
{
    public const string Submitted = "submitted";
    public const string Withdrawn = "withdrawn";

    public static ForecastResource? From(EventEnvelope e) => e.Data switch
    {
        ForecastSubmitted s => new(s.ForecastId, s.QuestionId, s.ForecasterId, Submitted, s.Probabilities, s.Rationale, s.SubmittedAt, e.Version, e.Seq),
        ForecastWithdrawn w => new(w.ForecastId, w.QuestionId, w.ForecasterId, Withdrawn, null, null, w.WithdrawnAt, e.Version, e.Seq),
        _ => null,
    };
}

/// <summary>
/// Writes to the per-(question, forecaster) streams: forecasters never contend on one stream (ADR 0004). Each append
/// also inserts its rows into <c>forecast_history</c>, in the same transaction.
/// </summary>
public sealed class ForecastStreams(PostgresEventStore store, LedgerDatabase database)
{
    public Task<Fetched<StandingForecast>> LoadAsync(Guid questionId, Guid forecasterId, CancellationToken ct) =>
        store.FetchForWritingAsync(StandingForecast.StreamId(questionId, forecasterId), StandingForecast.Initial, StandingForecast.Evolve, ct);

    public async Task<IReadOnlyList<ForecastResource>> HistoryAsync(Guid questionId, Guid forecasterId, CancellationToken ct) =>
        [.. (await store.FetchStreamAsync(StandingForecast.StreamId(questionId, forecasterId), null, ct)).Select(ForecastResource.From).OfType<ForecastResource>()];

    /// <summary>Appends and records history; on an idempotent replay returns the originally appended forecast.</summary>
    public async Task<ForecastResource> AppendAsync(Guid questionId, Guid forecasterId, long expectedVersion, IReadOnlyList<IForecastEvent> events, AppendOptions options, CancellationToken ct)
    {
        var streamId = StandingForecast.StreamId(questionId, forecasterId);
        AppendResult result;
        await using (var connection = await database.DataSource.OpenConnectionAsync(ct))
        {
            await using var transaction = await connection.BeginTransactionAsync(ct);
            result = await store.AppendOnConnectionAsync(connection, streamId, expectedVersion, [.. events], options, ct);
            if (!result.Replayed)
            {
                await RecordHistoryAsync(connection, events, result, ct);
            }

            await transaction.CommitAsync(ct);
        }

        var appended = await store.FetchStreamAsync(streamId, new StreamReadLimit(ToVersion: result.Version), ct);
        return ForecastResource.From(appended[^1])!;
    }

    private async Task RecordHistoryAsync(NpgsqlConnection connection, IReadOnlyList<IForecastEvent> events, AppendResult result, CancellationToken ct)
    {
        var count = events.Count;
        var seqs = new long[count];
        var kinds = new string[count];
        var forecastIds = new Guid[count];
        var probabilities = new string?[count];
        var rationales = new string?[count];
        var ats = new DateTimeOffset[count];
        var versions = new long[count];
        for (var i = 0; i < count; i++)
        {
            seqs[i] = result.FirstSeq + i;
            versions[i] = result.Version - count + 1 + i;
            (kinds[i], forecastIds[i], probabilities[i], rationales[i], ats[i]) = events[i] switch
            {
                ForecastSubmitted s => (ForecastResource.Submitted, s.ForecastId, "{" + string.Join(',', s.Probabilities) + "}", s.Rationale, s.SubmittedAt),
                ForecastWithdrawn w => (ForecastResource.Withdrawn, w.ForecastId, (string?)null, (string?)null, w.WithdrawnAt),
                _ => throw new InvalidOperationException($"Unexpected forecast event {events[i].GetType().Name}."),
            };
        }

        await using var command = new NpgsqlCommand($"""
            INSERT INTO {store.Options.Schema}.forecast_history (seq_id, question_id, forecaster_id, forecast_id, kind, probabilities, rationale, at, version)
            SELECT s, $1, $2, f, k, p::integer[], r, a, v FROM unnest($3, $4, $5, $6, $7, $8, $9) AS u(s, k, f, p, r, a, v)
            """, connection);
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = events[0].QuestionId });
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = events[0].ForecasterId });
        command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = seqs });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = kinds });
        command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = forecastIds });
        command.Parameters.Add(new NpgsqlParameter { Value = probabilities, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = rationales, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset[]> { TypedValue = ats });
        command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = versions });
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>A question's forecasts and withdrawals in ledger order, after a seq (keyset pagination).</summary>
    public async Task<IReadOnlyList<ForecastResource>> QuestionHistoryAsync(Guid questionId, long afterSeq, int limit, CancellationToken ct)
    {
        await using var command = database.DataSource.CreateCommand($"""
            SELECT forecast_id, forecaster_id, kind, probabilities, rationale, at, version, seq_id
            FROM {store.Options.Schema}.forecast_history WHERE question_id = $1 AND seq_id > $2 ORDER BY seq_id LIMIT $3
            """);
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = questionId });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = afterSeq });
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
}
