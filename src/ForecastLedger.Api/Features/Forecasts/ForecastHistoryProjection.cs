using ForecastLedger.Domain.Forecasts;
using ForecastLedger.EventStore;
using Npgsql;
using NpgsqlTypes;

namespace ForecastLedger.Api.Features.Forecasts;

/// <summary>
/// The <c>forecast_history</c> read model, inline (ADR 0007): one row per forecast or withdrawal, written by the group
/// commit in the same transaction as its events, set-based, once per batch, for exactly the appends that succeeded.
/// </summary>
public sealed class ForecastHistoryProjection(EventStoreOptions options) : IInlineProjection
{
    /// <inheritdoc />
    public async Task ApplyAsync(NpgsqlConnection connection, IReadOnlyList<AppendedEvent> events, CancellationToken ct)
    {
        var rows = Rows(events);
        if (rows.Count == 0)
        {
            return;
        }

        await using var command = new NpgsqlCommand($"""
            INSERT INTO {options.Schema}.forecast_history (seq_id, question_id, forecaster_id, forecast_id, kind, probabilities, rationale, at, version)
            SELECT s, q, fr, f, k, p::integer[], r, a, v FROM unnest($1, $2, $3, $4, $5, $6, $7, $8, $9) AS u(s, q, fr, f, k, p, r, a, v)
            """, connection);
        command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = [.. rows.Select(r => r.Seq)] });
        command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = [.. rows.Select(r => r.QuestionId)] });
        command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = [.. rows.Select(r => r.ForecasterId)] });
        command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = [.. rows.Select(r => r.ForecastId)] });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. rows.Select(r => r.Kind)] });
        command.Parameters.Add(new NpgsqlParameter { Value = rows.Select(r => r.Probabilities).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = rows.Select(r => r.Rationale).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset[]> { TypedValue = [.. rows.Select(r => r.At)] });
        command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = [.. rows.Select(r => r.Version)] });
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>The rows for the forecast events among <paramref name="events"/>; other events are not this projection's.</summary>
    public static IReadOnlyList<HistoryRow> Rows(IReadOnlyList<AppendedEvent> events)
    {
        var rows = new List<HistoryRow>(events.Count);
        foreach (var e in events)
        {
            switch (e.Data)
            {
                case ForecastSubmitted s:
                    rows.Add(new HistoryRow(e.Seq, s.QuestionId, s.ForecasterId, s.ForecastId, ForecastResource.Submitted,
                        "{" + string.Join(',', s.Probabilities) + "}", s.Rationale, s.SubmittedAt, e.Version));
                    break;
                case ForecastWithdrawn w:
                    rows.Add(new HistoryRow(e.Seq, w.QuestionId, w.ForecasterId, w.ForecastId, ForecastResource.Withdrawn, null, null, w.WithdrawnAt, e.Version));
                    break;
            }
        }

        return rows;
    }

    /// <summary>One <c>forecast_history</c> row; <paramref name="Probabilities"/> is a PostgreSQL array literal.</summary>
    public sealed record HistoryRow(
        long Seq, Guid QuestionId, Guid ForecasterId, Guid ForecastId, string Kind, string? Probabilities, string? Rationale, DateTimeOffset At, long Version);
}
