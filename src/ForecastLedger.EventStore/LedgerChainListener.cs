using JasperFx.Events;
using Marten;
using Npgsql;

namespace ForecastLedger.EventStore;

/// <summary>
/// Chains every event a Marten session appends without going through <see cref="LedgerAppend"/> (docs/adr/0023), such as
/// the events Wolverine's aggregate handler workflow appends through the request's session. Just before the session writes,
/// on the session's own transaction, it locks the streams it appends to (docs/adr/0024), reads their heads of the streams it appends to, checks
/// each stream's expected version (<see cref="StreamAction.ExpectedVersionOnServer"/>, the version <b>before</b> the
/// append) and stamps the events with ids, timestamp, metadata and hashes exactly as <see cref="LedgerAppend"/> does
/// (<see cref="LedgerChain"/>), then records the new heads and aliases. Sessions whose events <see cref="LedgerAppend"/>
/// has stamped already (it locks and records them itself) are left alone.
/// </summary>
/// <remarks>
/// The event metadata is the session's: <see cref="IDocumentSession.LastModifiedBy"/> is the actor,
/// <see cref="IQuerySession.CorrelationId"/> and <see cref="IQuerySession.CausationId"/> the correlation and causation.
/// </remarks>
public sealed class LedgerChainListener(EventStoreOptions options) : DocumentSessionListenerBase
{
    private readonly string _schema = options.QuotedSchema;

    /// <inheritdoc />
    public override async Task BeforeSaveChangesAsync(IDocumentSession session, CancellationToken token)
    {
        ArgumentNullException.ThrowIfNull(session);
        var streams = session.PendingChanges.Streams().Where(s => s.Events.Count > 0).ToList();
        var unstamped = streams.Where(s => !s.Events.Any(LedgerChain.IsStamped)).ToList();
        if (unstamped.Count == 0)
        {
            return;
        }

        if (unstamped.Count != streams.Count || unstamped.Any(s => s.Events.Any(LedgerChain.IsStamped)))
        {
            throw new InvalidOperationException("A session appends both events LedgerAppend chained and events it did not; use one path per session.");
        }

        // The locks and the heads must be taken in the transaction the events are written in.
        await session.BeginTransactionAsync(token).ConfigureAwait(false);
        var connection = session.Connection ?? throw new InvalidOperationException("The session has no connection after beginning its transaction.");
        var ids = unstamped.Select(s => s.Key ?? throw new InvalidOperationException("Ledger streams have string ids.")).Distinct(StringComparer.Ordinal).ToArray();
        if (ids.Length != unstamped.Count)
        {
            throw new InvalidOperationException("A session appends to one stream in one stream action.");
        }

        Dictionary<string, (long Version, byte[] Head)> heads;
        await using (var batch = new NpgsqlBatch(connection))
        {
            batch.BatchCommands.Add(LedgerChain.LockStreams(_schema, ids, []));
            batch.BatchCommands.Add(LedgerChain.SelectHeads(_schema, ids));
            await using var reader = await batch.ExecuteReaderAsync(token).ConfigureAwait(false);
            await reader.NextResultAsync(token).ConfigureAwait(false);
            heads = await LedgerChain.ReadHeadsAsync(reader, token).ConfigureAwait(false);
        }

        var metadata = new EventMetadata(Actor: session.LastModifiedBy, CorrelationId: session.CorrelationId, CausationId: session.CausationId);
        var written = new List<(string StreamId, long Version, byte[] Head)>(unstamped.Count);
        var types = new HashSet<string>(StringComparer.Ordinal);
        DateTimeOffset timestamp = default;
        foreach (var stream in unstamped)
        {
            var (current, head) = heads.TryGetValue(stream.Key!, out var found) ? found : (0L, ForecastLedger.Audit.EventHashing.Genesis.ToArray());
            var expected = stream.ActionType == StreamActionType.Start ? 0 : stream.ExpectedVersionOnServer;
            if (expected is { } before && before != current)
            {
                throw new ConcurrencyException(stream.Key!, before, current);
            }

            var prepared = LedgerChain.Prepare(options, stream.Key!, [.. stream.Events.Select(e => e.Data)], metadata);
            var last = LedgerChain.Link(prepared, current, head);
            LedgerChain.Stamp(prepared, metadata, stream.Events, 0);
            written.Add((stream.Key!, current + prepared.Ids.Length, last));
            types.UnionWith(prepared.Types);
            timestamp = prepared.Timestamp;
        }

        await using (var records = new NpgsqlBatch(connection))
        {
            LedgerChain.AddRecords(records, _schema, written, [.. types], timestamp, string.Join(',', ids));
            await records.ExecuteNonQueryAsync(token).ConfigureAwait(false);
        }
    }
}
