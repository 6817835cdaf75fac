using Npgsql;

namespace ForecastLedger.EventStore.Projections;

/// <summary>
/// What a header-only projection sees of an event: its position, stream, version, type and time, but not its payload
/// or metadata: a rebuild then never reads nor deserialises them.
/// </summary>
/// <param name="Seq">The event's global sequence number.</param>
/// <param name="StreamId">Its stream.</param>
/// <param name="Version">Its version in the stream.</param>
/// <param name="Type">Its type alias.</param>
/// <param name="Timestamp">When it was appended.</param>
public sealed record EventHeader(long Seq, string StreamId, long Version, string Type, DateTimeOffset Timestamp)
{
    /// <summary>The header of a full event.</summary>
    public static EventHeader Of(EventEnvelope envelope)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        return new(envelope.Seq, envelope.StreamId, envelope.Version, envelope.Type, envelope.Timestamp);
    }
}

/// <summary>Whether a batch is live (Marten's daemon) or part of a rebuild, and the rebuild's target.</summary>
/// <param name="IsRebuilding">True while the projection replays from zero after a rebuild request.</param>
/// <param name="RebuildTarget">
/// While rebuilding: the high-water mark the replay runs to. Every event at or below it was committed before the replay
/// began, so a projection may look ahead (for example, to skip work a later event of the same target would redo).
/// </param>
public sealed record ProjectionBatchContext(bool IsRebuilding, long RebuildTarget)
{
    /// <summary>A live batch.</summary>
    public static ProjectionBatchContext Live { get; } = new(false, 0);
}

/// <summary>
/// A projection that derives its rows from each event's stream and type alone (typically from read models written
/// inline with the events). A rebuild reads only the event headers for it — no payload, metadata or hashes, no JSON —
/// which makes it much cheaper (Marten's daemon reads whole events for its live pages). The rules of <see cref="ILedgerProjection"/> apply
/// unchanged; <see cref="ILedgerProjection.ApplyAsync"/> is still called by anyone holding full envelopes, and must agree.
/// </summary>
/// <remarks>
/// An event it cannot handle (an unexpected stream or type) must throw, and is then isolated and reported like any
/// poison event.
/// </remarks>
public interface IEventHeaderProjection : ILedgerProjection
{
    /// <summary>Applies one batch of headers (ascending seq, filtered by <see cref="ILedgerProjection.EventTypes"/>, never empty).</summary>
    Task ApplyHeadersAsync(NpgsqlConnection connection, IReadOnlyList<EventHeader> batch, ProjectionBatchContext context, CancellationToken ct);
}
