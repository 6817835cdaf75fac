using Npgsql;

namespace ForecastLedger.EventStore.Projections;

/// <summary>One page of a rebuild's replay: headers always, full envelopes for a projection that reads payloads.</summary>
internal sealed record ReplayPage(IReadOnlyList<EventHeader> Headers, IReadOnlyList<EventEnvelope>? Envelopes)
{
    public Task ApplyAsync(NpgsqlConnection connection, ILedgerProjection projection, ProjectionBatchContext context, CancellationToken ct) =>
        ApplyAsync(connection, projection, context, 0, Headers.Count, ct);

    /// <summary>The first event that fails on its own after the ones before it; null when each applies alone.</summary>
    public async Task<(long Seq, Exception Error)?> FindFailingEventAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, ILedgerProjection projection, ProjectionBatchContext context, CancellationToken ct)
    {
        for (var i = 0; i < Headers.Count; i++)
        {
            await transaction.SaveAsync("rebuild_event", ct);
            try
            {
                await ApplyAsync(connection, projection, context, i, 1, ct);
                await transaction.ReleaseAsync("rebuild_event", ct);
            }
            catch (Exception e) when (!ProjectionStops.IsTransient(e, ct))
            {
                return (Headers[i].Seq, e);
            }
        }

        return null;
    }

    private Task ApplyAsync(NpgsqlConnection connection, ILedgerProjection projection, ProjectionBatchContext context, int from, int count, CancellationToken ct) =>
        Envelopes is null && projection is IEventHeaderProjection headers
            ? headers.ApplyHeadersAsync(connection, [.. Headers.Skip(from).Take(count)], context, ct)
            : projection.ApplyAsync(connection, [.. Envelopes!.Skip(from).Take(count)], ct);
}
