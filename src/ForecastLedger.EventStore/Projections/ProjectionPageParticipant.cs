using JasperFx.Events;
using Marten;
using Npgsql;

namespace ForecastLedger.EventStore.Projections;

/// <summary>
/// Applies one page of a <see cref="MartenProjectionShard"/> inside the daemon's transaction, after Marten moved the
/// shard's progress and before it commits. A page that fails is replayed event by event under savepoints to find the
/// event that fails, which is recorded in <c>projection_stops</c> (readiness and the admin status show it on every
/// node); nothing is ever skipped. When events before it applied (or the page holds others it does not handle), they commit with the shard's progress set back to just
/// before it (the leader then restarts the shard there, see <see cref="LedgerProjections.SuperviseAsync"/>); when it is
/// the page's first event, the page rolls back and Marten pauses the shard, retrying it now and then until the event
/// applies (the projection or the data was fixed) or a rebuild replaces it.
/// </summary>
/// <param name="shard">The shard.</param>
/// <param name="events">The page's events that the projection handles.</param>
/// <param name="pageFirstSeq">The first seq of the whole page, handled or not.</param>
internal sealed class ProjectionPageParticipant(MartenProjectionShard shard, IReadOnlyList<IEvent> events, long pageFirstSeq) : ITransactionParticipant
{
    private const string Savepoint = "ledger_projection_page";

    public async Task BeforeCommitAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken token)
    {
        var name = shard.Projection.Name;
        await transaction.SaveAsync(Savepoint, token);
        try
        {
            await shard.ApplyEventsAsync(connection, events, token);
            await transaction.ReleaseAsync(Savepoint, token);
        }
        catch (Exception e) when (!ProjectionStops.IsTransient(e, token))
        {
            await transaction.RollbackAsync(Savepoint, token);
            // Every event applying alone leaves them all applied, one after the other: the page commits as that.
            if (await FindFailingEventAsync(connection, transaction, token) is var (index, error))
            {
                var seq = events[index].Sequence;
                var message = ProjectionStops.Describe(error);
                // Events before it in the page (applied, or not this projection's) commit with the progress just
                // before it, so the status names the last event really done.
                if (index > 0 || seq > pageFirstSeq)
                {
                    await shard.Stops.StopBeforeAsync(connection, name, seq, message, token);
                    return;
                }

                await shard.Stops.RecordAsync(name, seq, message, token);
                throw new ProjectionStoppedException(name, seq, message);
            }
        }

        await shard.Stops.ClearAsync(connection, name, token);
    }

    /// <summary>
    /// The index of the first event that fails on its own once the ones before it applied (they stay applied); null
    /// when each applies alone.
    /// </summary>
    private async Task<(int Index, Exception Error)?> FindFailingEventAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken token)
    {
        for (var i = 0; i < events.Count; i++)
        {
            await transaction.SaveAsync(Savepoint, token);
            try
            {
                await shard.ApplyEventsAsync(connection, [events[i]], token);
                await transaction.ReleaseAsync(Savepoint, token);
            }
            catch (Exception error) when (!ProjectionStops.IsTransient(error, token))
            {
                await transaction.RollbackAsync(Savepoint, token);
                return (i, error);
            }
        }

        return null;
    }
}
