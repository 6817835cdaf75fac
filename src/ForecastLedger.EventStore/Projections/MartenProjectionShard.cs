using JasperFx.Events;
using Marten;
using Npgsql;

namespace ForecastLedger.EventStore.Projections;

/// <summary>
/// One of the ledger's asynchronous projections as a Marten async projection (docs/adr/0027): Marten's daemon pages the
/// events, keeps the progress in <c>mt_event_progression</c> (shard <c>&lt;name&gt;:All</c>) and runs the shard on the
/// schema's one leader (HotCold); the projection's own writes join the transaction that moves that progress, so each
/// event is applied exactly once.
/// </summary>
/// <remarks>
/// The projection writes with plain SQL on the daemon's connection: <see cref="ApplyAsync"/> only hands the page to a
/// transaction participant, which Marten runs after its progress update (an optimistic update that fails when another
/// node or a rebuild moved the shard, rolling the page back) and before its commit.
/// </remarks>
public sealed class MartenProjectionShard : Marten.Events.Projections.IProjection
{
    private readonly HashSet<string>? _handled;

    /// <summary>Wraps <paramref name="projection"/>; <paramref name="stops"/> records and clears the event it stops on.</summary>
    public MartenProjectionShard(ILedgerProjection projection, ProjectionStops stops)
    {
        ArgumentNullException.ThrowIfNull(projection);
        ArgumentNullException.ThrowIfNull(stops);
        Projection = projection;
        Stops = stops;
        _handled = projection.EventTypes is { } types ? new HashSet<string>(types, StringComparer.Ordinal) : null;
    }

    /// <summary>The wrapped projection.</summary>
    public ILedgerProjection Projection { get; }

    internal ProjectionStops Stops { get; }

    /// <summary>The shard name Marten records <paramref name="projection"/>'s progress under.</summary>
    public static string ShardName(string projection) => projection + ":All";

    /// <summary>Queues the page (the events the projection handles) to be applied in the daemon's transaction.</summary>
    public Task ApplyAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(operations);
        ArgumentNullException.ThrowIfNull(events);
        var handled = events.Where(e => _handled is null || _handled.Contains(e.EventTypeName)).ToArray();
        if (handled.Length == 0)
        {
            return Task.CompletedTask;
        }

        if (operations is not ITransactionParticipantRegistrar registrar)
        {
            throw new InvalidOperationException($"Projection '{Projection.Name}' runs only on Marten's async daemon, which joins it to its transaction.");
        }

        registrar.AddTransactionParticipant(new ProjectionPageParticipant(this, handled, events[0].Sequence));
        return Task.CompletedTask;
    }

    /// <summary>An event as the ledger's projections see it: Marten's deserialised payload with the ledger's names.</summary>
    internal static EventEnvelope Envelope(IEvent e) => new(
        e.Sequence, e.Id, e.StreamKey ?? e.StreamId.ToString(), e.Version, e.EventTypeName, e.Timestamp, e.Data,
        default, new EventMetadata(), [], [], []);

    internal static EventHeader Header(IEvent e) =>
        new(e.Sequence, e.StreamKey ?? e.StreamId.ToString(), e.Version, e.EventTypeName, e.Timestamp);

    /// <summary>Applies <paramref name="events"/> on <paramref name="connection"/>, as the projection reads them (headers or envelopes).</summary>
    internal Task ApplyEventsAsync(NpgsqlConnection connection, IReadOnlyList<IEvent> events, CancellationToken ct) =>
        Projection is IEventHeaderProjection headers
            ? headers.ApplyHeadersAsync(connection, [.. events.Select(Header)], ProjectionBatchContext.Live, ct)
            : Projection.ApplyAsync(connection, [.. events.Select(Envelope)], ct);
}
