using ForecastLedger.Domain.Questions;
using ForecastLedger.EventStore;
using Marten;
using Wolverine.Marten;

namespace ForecastLedger.Api.Features.Questions;

/// <summary>
/// The question's read model row, and the append's idempotency record when the request has a key, written by the
/// command's session in the transaction of its events. Seqs are known only once the events are in: these statements run
/// after the append in the session's batch and read them from <c>mt_events</c>.
/// </summary>
internal sealed class WriteQuestionRow(QuestionView view, long versionBefore, IdempotencyKey? key) : IMartenOp
{
    public void Execute(IDocumentSession session)
    {
        ArgumentNullException.ThrowIfNull(session);
        var schema = session.DocumentStore.Options.Events.DatabaseSchemaName;
        var stream = Question.StreamId(view.Id);
        var seq = $"(SELECT seq_id FROM {schema}.mt_events WHERE stream_id = ? AND version = ?)";
        session.QueueSqlCommand(QuestionCatalog.UpsertSql(schema, _ => "?", seq), [.. QuestionCatalog.UpsertValues(view), stream, view.Version]);
        if (key is not null)
        {
            session.QueueSqlCommand($"""
                INSERT INTO {schema}.idempotency_keys (key, request_hash, stream_id, stream_version, first_seq, last_seq, created)
                VALUES (?, ?, ?, ?, {seq}, {seq}, now())
                """, key.Key, key.RequestHash, stream, view.Version, stream, versionBefore + 1, stream, view.Version);
        }
    }
}
