using Npgsql;

namespace ForecastLedger.EventStore.Projections;

/// <summary>
/// One of the ledger's asynchronous projections (docs/adr/0027): it turns pages of events, in global (<c>seq_id</c>)
/// order, into rows of its own tables with plain SQL, and can be reset and replayed in bulk. Marten's daemon runs it
/// (<see cref="MartenProjectionShard"/>); <see cref="LedgerProjections.RebuildAsync"/> replays it.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="ApplyAsync"/> runs inside a transaction someone else owns (the daemon's page, or a rebuild), which commits
/// the projection's writes together with the move of its progress, so every event is applied exactly once: write with
/// plain commands on the given connection (they join the open transaction), and never commit, roll back or open
/// another connection.
/// </para>
/// <para>
/// Rules for implementers:
/// <list type="bullet">
/// <item>Be deterministic: the same events in the same order must give the same rows, so that a rebuild equals the
/// incrementally built projection exactly. Do not read the clock; use the event's timestamp.</item>
/// <item>Throw on an event you cannot handle. Nothing is skipped: the exact event is found, everything before it is
/// applied, and the projection stops there with the seq and the error visible (see <see cref="ProjectionStatus"/>).</item>
/// <item>A batch can hold several events of one stream; handle them in the order given.</item>
/// </list>
/// </para>
/// </remarks>
public interface ILedgerProjection
{
    /// <summary>
    /// The projection's stable name: its shard <c>&lt;name&gt;:All</c> in <c>mt_event_progression</c> and its metrics tag.
    /// Renaming it starts a new projection from zero.
    /// </summary>
    string Name { get; }

    /// <summary>
    /// The event type aliases (as registered in the <see cref="EventTypeRegistry"/>) this projection handles, or
    /// <see langword="null"/> for every event. Other events are not passed to <see cref="ApplyAsync"/>, but the
    /// checkpoint still moves past them.
    /// </summary>
    IReadOnlyCollection<string>? EventTypes { get; }

    /// <summary>
    /// Creates the projection's tables if they are missing (use <c>CREATE … IF NOT EXISTS</c>). Called by the migration
    /// as the schema's owner, inside a transaction and under an advisory lock, so migrations run at once do not race.
    /// </summary>
    Task EnsureSchemaAsync(NpgsqlConnection connection, CancellationToken ct);

    /// <summary>
    /// Applies one batch: events in ascending seq order, only those matching <see cref="EventTypes"/>, never empty.
    /// Runs inside the owner's transaction on <paramref name="connection"/>; the writes commit with the progress.
    /// </summary>
    Task ApplyAsync(NpgsqlConnection connection, IReadOnlyList<EventEnvelope> batch, CancellationToken ct);

    /// <summary>
    /// Deletes every row this projection owns, for a rebuild. Runs in the rebuild's transaction, which then replays and
    /// moves the progress. Prefer <c>DELETE</c> (or <c>TRUNCATE</c> on tables nobody else writes) to dropping tables.
    /// </summary>
    Task ResetAsync(NpgsqlConnection connection, CancellationToken ct);
}
