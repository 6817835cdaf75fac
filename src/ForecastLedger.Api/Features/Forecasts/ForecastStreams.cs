using System.Text.Json.Serialization;
using ForecastLedger.Api.Features.Questions;
using ForecastLedger.Api.Features.Receipts;
using ForecastLedger.Api.Infrastructure;
using ForecastLedger.Domain.Forecasts;
using ForecastLedger.EventStore;
using Npgsql;

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
/// <param name="Receipt">Only in the answer to a submission or withdrawal: the signed receipt (docs/receipts.md).</param>
public sealed record ForecastResource(
    Guid ForecastId, Guid QuestionId, Guid ForecasterId, string Kind, IReadOnlyList<int>? Probabilities, string? Rationale,
    DateTimeOffset At, long Version, long Seq, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ReceiptResource? Receipt = null)
{
    public const string Submitted = "submitted";
    public const string Withdrawn = "withdrawn";

    public static ForecastResource? From(EventEnvelope e) => e.Data is IForecastEvent f ? From(f, e.Version, e.Seq) : null;

    /// <summary>The resource of an event just appended at <paramref name="version"/> and <paramref name="seq"/>.</summary>
    public static ForecastResource From(IForecastEvent e, long version, long seq) => e switch
    {
        ForecastSubmitted s => new(s.ForecastId, s.QuestionId, s.ForecasterId, Submitted, s.Probabilities, s.Rationale, s.SubmittedAt, version, seq),
        ForecastWithdrawn w => new(w.ForecastId, w.QuestionId, w.ForecasterId, Withdrawn, null, null, w.WithdrawnAt, version, seq),
        _ => throw new InvalidOperationException($"Unexpected forecast event {e.GetType().Name}."),
    };
}

/// <summary>
/// Writes to the per-(question, forecaster) streams: forecasters never contend on one stream (ADR 0006). Appends go
/// through the group commit (ADR 0007); <see cref="ForecastHistoryProjection"/> writes their <c>forecast_history</c>
/// rows inline, in the same transaction.
/// </summary>
public sealed class ForecastStreams(PostgresEventStore store, LedgerDatabase database, GroupCommitAppender appender, ReceiptIssuer receipts, QuestionCatalog catalog)
{
    public Task<Fetched<StandingForecast>> LoadAsync(Guid questionId, Guid forecasterId, CancellationToken ct) =>
        store.FetchForWritingAsync(StandingForecast.StreamId(questionId, forecasterId), StandingForecast.Initial, StandingForecast.Evolve, ct);

    /// <summary>The receipts of every submission and withdrawal of a forecaster on a question, oldest first (re-signed now).</summary>
    public async Task<IReadOnlyList<ReceiptResource>> ReceiptsAsync(Guid questionId, Guid forecasterId, CancellationToken ct) =>
        [.. (await store.FetchStreamAsync(StandingForecast.StreamId(questionId, forecasterId), null, ct)).Select(receipts.Issue)];

    public async Task<IReadOnlyList<ForecastResource>> HistoryAsync(Guid questionId, Guid forecasterId, CancellationToken ct) =>
        [.. (await store.FetchStreamAsync(StandingForecast.StreamId(questionId, forecasterId), null, ct)).Select(ForecastResource.From).OfType<ForecastResource>()];

    /// <summary>Appends and records history; on an idempotent replay returns the originally appended forecast.</summary>
    public Task<ForecastResource> AppendAsync(Guid questionId, Guid forecasterId, long? expectedVersion, IReadOnlyList<IForecastEvent> events, AppendOptions options, CancellationToken ct) =>
        AppendAsync(questionId, forecasterId, expectedVersion, events, options, null, ct);

    /// <summary>
    /// Appends through the group commit, with an optional guard (the question's version the events were decided on),
    /// and records history in the same transaction. The response is built from the appended events and the append's
    /// result; only an idempotent replay reads the originally appended forecast back.
    /// </summary>
    public async Task<ForecastResource> AppendAsync(
        Guid questionId, Guid forecasterId, long? expectedVersion, IReadOnlyList<IForecastEvent> events, AppendOptions options, StreamGuard? guard, CancellationToken ct)
    {
        var streamId = StandingForecast.StreamId(questionId, forecasterId);
        var (result, timestamp, contentHash) = await appender.AppendRecordedAsync(new AppendRequest(streamId, expectedVersion, [.. events], options, guard), ct);
        if (!result.Replayed)
        {
            return ForecastResource.From(events[^1], result.Version, result.LastSeq) with
            {
                Receipt = receipts.Issue(result.LastSeq, streamId, result.Version, contentHash!, timestamp!.Value),
            };
        }

        // A replay signs the same receipt body again: it is a function of the event (ECDSA's signature bytes differ).
        var appended = (await store.FetchStreamAsync(streamId, new StreamReadLimit(ToVersion: result.Version), ct))[^1];
        return ForecastResource.From(appended)! with { Receipt = receipts.Issue(appended) };
    }

    /// <summary>How often a forecast write decides again because the question moved under it before giving up with a 409.</summary>
    public const int MaxQuestionMoves = 5;

    /// <summary>
    /// After a forecast's guard failed (the question changed since the decision read it, from the cache): the question
    /// as it is now, to decide again on; after <see cref="MaxQuestionMoves"/> attempts the conflict reaches the client.
    /// </summary>
    public async Task<LoadedQuestion> QuestionMovedAsync(Guid questionId, GuardFailedException moved, int attempt, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(moved);
        if (attempt >= MaxQuestionMoves)
        {
            throw new ConcurrencyException(moved.GuardStreamId, moved.ExpectedVersion, moved.ActualVersion);
        }

        var question = await catalog.ReloadForDecisionAsync(questionId, ct);
        return question.View is null
            ? throw new InvalidOperationException($"Question {questionId} has a guard version but no events.")
            : question;
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
