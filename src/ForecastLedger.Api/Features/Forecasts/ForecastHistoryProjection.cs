using ForecastLedger.Domain.Forecasts;
using JasperFx.Events;
using Marten;
using Marten.Events.Projections;

namespace ForecastLedger.Api.Features.Forecasts;

/// <summary>
/// The <c>forecast_history</c> read model: one row per forecast or withdrawal, a Marten inline projection, so the rows
/// commit in the same transaction as their events whichever session appends them (the group commit's, ADR 0007, or a
/// workflow's). One set-based insert per session, for exactly the events the session appended.
/// </summary>
/// <remarks>
/// Marten appends in quick mode, where an event's global position is drawn by the database as the row is inserted:
/// the projection cannot know it, so the insert reads <c>seq_id</c> and <c>version</c> back from <c>mt_events</c> by
/// event id, one lateral lookup per row through the stream's index (a plain join let the planner hash the whole event
/// table on every batch). Marten runs the queued command after the session's appends, in the same batch.
/// </remarks>
public sealed class ForecastHistoryProjection(string schema) : IProjection
{
    /// <summary>The projection's name in Marten's registry.</summary>
    public const string Name = "forecast_history";

    /// <inheritdoc />
    public Task ApplyAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(operations);
        ArgumentNullException.ThrowIfNull(events);
        var rows = Rows(events);
        if (rows.Count > 0)
        {
            operations.QueueSqlCommand($"""
                INSERT INTO {schema}.forecast_history (seq_id, question_id, forecaster_id, forecast_id, kind, probabilities, rationale, at, version)
                SELECT e.seq_id, u.q, u.fr, u.f, u.k, u.p::integer[], u.r, u.a, e.version
                FROM unnest(?::uuid[], ?::text[], ?::uuid[], ?::uuid[], ?::uuid[], ?::text[], ?::text[], ?::text[], ?::timestamptz[])
                     AS u(id, s, q, fr, f, k, p, r, a)
                CROSS JOIN LATERAL (SELECT seq_id, version FROM {schema}.mt_events WHERE stream_id = u.s AND id = u.id) e
                """,
                rows.Select(r => r.EventId).ToArray(),
                rows.Select(r => r.StreamId).ToArray(),
                rows.Select(r => r.QuestionId).ToArray(),
                rows.Select(r => r.ForecasterId).ToArray(),
                rows.Select(r => r.ForecastId).ToArray(),
                rows.Select(r => r.Kind).ToArray(),
                rows.Select(r => r.Probabilities).ToArray(),
                rows.Select(r => r.Rationale).ToArray(),
                rows.Select(r => r.At).ToArray());
        }

        return Task.CompletedTask;
    }

    /// <summary>The rows for the forecast events among <paramref name="events"/>; other events are not this projection's.</summary>
    private static List<HistoryRow> Rows(IReadOnlyList<IEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        var rows = new List<HistoryRow>(events.Count);
        foreach (var e in events)
        {
            switch (e.Data)
            {
                case ForecastSubmitted s:
                    rows.Add(new HistoryRow(e.Id, e.StreamKey!, s.QuestionId, s.ForecasterId, s.ForecastId, ForecastResource.Submitted,
                        "{" + string.Join(',', s.Probabilities) + "}", s.Rationale, s.SubmittedAt));
                    break;
                case ForecastWithdrawn w:
                    rows.Add(new HistoryRow(e.Id, e.StreamKey!, w.QuestionId, w.ForecasterId, w.ForecastId, ForecastResource.Withdrawn, null, null, w.WithdrawnAt));
                    break;
            }
        }

        return rows;
    }

    /// <summary>One <c>forecast_history</c> row before its position is known; <paramref name="Probabilities"/> is a PostgreSQL array literal.</summary>
    private sealed record HistoryRow(
        Guid EventId, string StreamId, Guid QuestionId, Guid ForecasterId, Guid ForecastId, string Kind, string? Probabilities, string? Rationale, DateTimeOffset At);
}
